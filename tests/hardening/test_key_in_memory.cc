// After oaimg_client_free() no copy of the key is left anywhere in the process's writable memory:
// not in the client, not in the "Authorization: Bearer …" header list, not in libcurl's request
// buffers (freed memory included). The test never holds the key in plain text itself: it keeps
// it XOR-masked and compares memory against the mask, so the scan cannot find its own needle.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "oaimg.h"
#include "scripted_server.h"

namespace {

constexpr unsigned char kMask = 0x5a;
constexpr size_t kKeyLength = 48;

// "sk-proj-memory-scan-" followed by letters, masked.
std::vector<unsigned char> masked_key() {
  const char* prefix = "sk-proj-memory-scan-";
  std::vector<unsigned char> masked;
  for (size_t i = 0; i < kKeyLength; ++i) {
    char c = i < std::strlen(prefix) ? prefix[i] : char('a' + (i * 7) % 26);
    masked.push_back(static_cast<unsigned char>(c) ^ kMask);
  }
  return masked;
}

// Occurrences of the unmasked key in every readable and writable mapping (heap, stacks, anonymous
// maps of malloc and libcurl), read through /proc/self/mem so unreadable pages are skipped.
int key_copies_in_memory(const std::vector<unsigned char>& masked) {
  std::ifstream maps("/proc/self/maps");
  int fd = open("/proc/self/mem", O_RDONLY);
  if (fd < 0) return -1;
  int copies = 0;
  std::string line;
  // One buffer for every scan, cleared after each: a freed buffer holding what the last scan
  // read (the live key) would be found by the next one.
  static std::vector<unsigned char> chunk(1 << 20);
  for (int lines = 0; lines < 100000 && std::getline(maps, line); ++lines) {
    unsigned long start = 0, end = 0;
    char perms[5] = {};
    if (std::sscanf(line.c_str(), "%lx-%lx %4s", &start, &end, perms) != 3) continue;
    if (perms[0] != 'r' || perms[1] != 'w') continue;
    if (end - start > (1ul << 30)) continue;  // sanitizer shadow reservations, not data
    if (line.find("[vvar]") != std::string::npos) continue;
    // Overlapping reads so that a copy across a chunk border is found.
    for (unsigned long at = start; at < end;) {
      size_t want = std::min<unsigned long>(chunk.size(), end - at);
      ssize_t got = pread(fd, chunk.data(), want, static_cast<off_t>(at));
      if (got <= 0) break;
      for (size_t i = 0; i + kKeyLength <= size_t(got); ++i) {
        if ((chunk[i] ^ kMask) != masked[0]) continue;
        size_t k = 1;
        while (k < kKeyLength && (chunk[i + k] ^ kMask) == masked[k]) ++k;
        if (k == kKeyLength) {
          ++copies;
          if (std::getenv("OAIMG_SCAN_VERBOSE")) {
            std::fprintf(stderr, "copy at %lx in %s: [", at + i, line.c_str());
            for (size_t j = i > 120 ? i - 120 : 0; j < i; ++j)
              std::fputc(chunk[j] >= 32 && chunk[j] < 127 ? chunk[j] : '.', stderr);
            std::fprintf(stderr, "]\n");
          }
        }
      }
      if (size_t(got) < want || at + size_t(got) >= end) break;
      at += size_t(got) - kKeyLength;
    }
  }
  close(fd);
  std::fill(chunk.begin(), chunk.end(), 0);
  return copies;
}

TEST(KeyInMemory, NoCopyOfTheKeyOutlivesTheClient) {
  // The environment would be a copy the library does not own.
  for (const char* name : {"OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"})
    unsetenv(name);
  // The server runs in a child process: what it reads (the header with the key) must not be in
  // the memory this test scans.
  int port_pipe[2];
  ASSERT_EQ(pipe(port_pipe), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(port_pipe[0]);
    {
      oaimg_test::ScriptedServer server([](oaimg_test::ScriptedServer& s, int fd, const std::string&) {
        s.respond(fd, 500, "application/json", "{\"error\":{\"message\":\"try again\"}}");
      });
      int port = server.port();
      if (write(port_pipe[1], &port, sizeof port) != sizeof port) _exit(1);
      close(port_pipe[1]);
      sleep(60);  // bounded; the parent kills it first
    }
    _exit(0);
  }
  close(port_pipe[1]);
  int port = 0;
  ASSERT_EQ(read(port_pipe[0], &port, sizeof port), ssize_t(sizeof port));
  close(port_pipe[0]);
  const std::string base_url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  std::vector<unsigned char> masked = masked_key();

  oaimg_client* client = nullptr;
  ASSERT_EQ(oaimg_client_new(&client), OAIMG_OK);
  {
    char key[kKeyLength + 1];
    for (size_t i = 0; i < kKeyLength; ++i) key[i] = char(masked[i] ^ kMask);
    key[kKeyLength] = '\0';
    ASSERT_EQ(oaimg_client_set_api_key(client, key), OAIMG_OK);
    for (char& c : key) *static_cast<volatile char*>(&c) = 0;
  }
  ASSERT_EQ(oaimg_client_set_base_url(client, base_url.c_str()), OAIMG_OK);
  oaimg_client_set_max_retries(client, 1);
  oaimg_request* request = nullptr;
  ASSERT_EQ(oaimg_request_new(OAIMG_GENERATE, &request), OAIMG_OK);
  oaimg_request_set_model(request, "dall-e-2");
  oaimg_request_set_prompt(request, "a fox");
  oaimg_result* result = nullptr;
  EXPECT_EQ(oaimg_client_run(client, request, &result), OAIMG_ERR_SERVER)
      << oaimg_client_error_message(client);
  EXPECT_GE(key_copies_in_memory(masked), 1);  // the scan does find the live key

  oaimg_request_free(request);
  oaimg_client_free(client);
  kill(child, SIGTERM);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(key_copies_in_memory(masked), 0);
}

}  // namespace
