#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cli_read_file(const char *path, uint8_t **data, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  uint8_t *buffer = NULL;
  size_t used = 0, capacity = 0;
  for (;;) {
    if (used == capacity) {
      size_t grown = capacity ? capacity * 2 : 65536;
      uint8_t *bigger = realloc(buffer, grown);
      if (!bigger) {
        free(buffer);
        fclose(f);
        errno = ENOMEM;
        return -1;
      }
      buffer = bigger;
      capacity = grown;
    }
    size_t got = fread(buffer + used, 1, capacity - used, f);
    used += got;
    if (got == 0) break;
  }
  int failed = ferror(f);
  fclose(f);
  if (failed) {
    free(buffer);
    errno = EIO;
    return -1;
  }
  *data = buffer;
  *size = used;
  return 0;
}

int cli_make_dirs(const char *path) {
  // "" names no folder (and the loop below starts one byte in).
  if (path[0] == '\0') {
    errno = ENOENT;
    return -1;
  }
  char *copy = strdup(path);
  if (!copy) return -1;
  for (char *p = copy + 1; *p; ++p) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
      free(copy);
      return -1;
    }
    *p = '/';
  }
  int rc = (mkdir(copy, 0777) != 0 && errno != EEXIST) ? -1 : 0;
  free(copy);
  return rc;
}

void cli_disable_core_dumps(void) {
  // The key lives in this process's memory (environment, libcurl's buffers while a request is
  // sent): a core file would write it to disk.
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int cli_write_file(const char *dir, const char *name, const void *data, size_t size) {
  size_t length = strlen(dir) + strlen(name) + 2;
  char *path = malloc(length);
  if (!path) return -1;
  snprintf(path, length, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  free(path);
  if (!f) return -1;
  size_t written = fwrite(data, 1, size, f);
  int close_failed = fclose(f);
  return (written == size && close_failed == 0) ? 0 : -1;
}

int cli_map_file(const char *path, cli_file *file) {
  memset(file, 0, sizeof *file);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  struct stat st;
  void *mapped = MAP_FAILED;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
    mapped = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (mapped == MAP_FAILED) {
    uint8_t *bytes = NULL;
    if (cli_read_file(path, &bytes, &file->size) != 0) return -1;
    file->data = bytes;
    return 0;
  }
  /* Read once, front to back: let the kernel read ahead. */
  posix_madvise(mapped, (size_t)st.st_size, POSIX_MADV_SEQUENTIAL);
  file->data = mapped;
  file->size = (size_t)st.st_size;
  file->mapped = 1;
  return 0;
}

void cli_release_file(cli_file *file) {
  if (file->mapped) munmap((void *)file->data, file->size);
  else free((void *)file->data);
  memset(file, 0, sizeof *file);
}
