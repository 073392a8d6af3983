/* What a person sees while a request runs. On a terminal: one line that is redrawn in place
 * (stage, elapsed time, results received of n, a retry's reason and countdown). Elsewhere: nothing,
 * or with --verbose one line per stage, never going back to an earlier stage except after a retry. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

struct cli_progress {
  int tty, verbose;
  struct timespec start;
  char line[256];        /* what the moving line shows now ("" = nothing drawn) */
  oaimg_stage printed;   /* --verbose: the furthest stage printed since the last retry */
  int printed_retry;     /* --verbose: the retry attempt printed last */
};

static double seconds_since(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static const char *stage_text(oaimg_stage stage) {
  switch (stage) {
    case OAIMG_STAGE_PREPARING: return "preparing";
    case OAIMG_STAGE_SENDING: return "sending";
    case OAIMG_STAGE_WAITING: return "waiting for the server";
    case OAIMG_STAGE_RECEIVING: return "receiving";
    case OAIMG_STAGE_RETRYING: return "waiting to retry";
    case OAIMG_STAGE_PLACING: return "placing results";
    case OAIMG_STAGE_DONE: return "done";
  }
  return "working";
}

/* A countdown shows the seconds still to wait, rounded up: "in 3 s" until it is 2 or less. */
static long long whole_seconds(int64_t ms) { return (long long)((ms + 999) / 1000); }

static int terminal_width(void) {
  struct winsize size;
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 10) return size.ws_col;
  return 80;
}

cli_progress *cli_progress_new(int verbose) {
  cli_progress *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->tty = isatty(STDERR_FILENO);
  p->verbose = verbose;
  clock_gettime(CLOCK_MONOTONIC, &p->start);
  return p;
}

void cli_progress_free(cli_progress *p) {
  cli_progress_clear(p);
  free(p);
}

void cli_progress_clear(cli_progress *p) {
  if (!p || !p->tty || !p->line[0]) return;
  fputs("\r\033[K", stderr); /* carriage return, erase to the end of the line */
  fflush(stderr);
  p->line[0] = '\0';
}

static void draw(cli_progress *p, const char *text) {
  /* Wider than the terminal would wrap, and "\r" would then redraw only the last row. */
  int width = terminal_width() - 1;
  char shown[sizeof p->line];
  snprintf(shown, sizeof shown, "%.*s", width < (int)sizeof shown - 1 ? width : (int)sizeof shown - 1, text);
  if (strcmp(shown, p->line) == 0) return;
  fprintf(stderr, "\r\033[K%s", shown);
  fflush(stderr);
  snprintf(p->line, sizeof p->line, "%s", shown);
}

void cli_progress_note(cli_progress *p, const char *format, ...) {
  char text[512];
  va_list args;
  va_start(args, format);
  vsnprintf(text, sizeof text, format, args);
  va_end(args);
  char redraw[sizeof p->line] = "";
  if (p && p->tty && p->line[0]) {
    snprintf(redraw, sizeof redraw, "%s", p->line);
    cli_progress_clear(p);
  }
  fprintf(stderr, "oaimg: %s\n", text);
  if (redraw[0]) draw(p, redraw);
  fflush(stderr);
}

void cli_progress_update(cli_progress *p, const oaimg_client *client, oaimg_stage stage) {
  if (!p || (!p->tty && !p->verbose)) return;
  int received = 0, total = 0, attempt = 0;
  const char *reason = NULL;
  int64_t retry_in_ms = -1;
  oaimg_client_progress_detail(client, &received, &total, &reason, &attempt, &retry_in_ms);

  if (p->verbose) {
    /* A retry starts the stages over; otherwise only forward, so the lines never go back. */
    if (stage == OAIMG_STAGE_RETRYING && reason && attempt != p->printed_retry) {
      cli_progress_note(p, "%s; retry %d in %lld s", reason, attempt, whole_seconds(retry_in_ms));
      p->printed_retry = attempt;
      p->printed = 0;
    } else if (stage != OAIMG_STAGE_RETRYING && stage > p->printed) {
      cli_progress_note(p, "%s", stage_text(stage));
      p->printed = stage;
    }
  }
  if (!p->tty || stage == OAIMG_STAGE_DONE) return;

  char text[256];
  int used = 0;
  if (stage == OAIMG_STAGE_RETRYING && reason)
    used = snprintf(text, sizeof text, "oaimg: %s, retry %d in %lld s", reason, attempt,
                    whole_seconds(retry_in_ms));
  else
    used = snprintf(text, sizeof text, "oaimg: %s", stage_text(stage));
  if (used > 0 && (size_t)used < sizeof text)
    used += snprintf(text + used, sizeof text - (size_t)used, " · %.0f s", seconds_since(&p->start));
  if (total > 0 && used > 0 && (size_t)used < sizeof text)
    snprintf(text + used, sizeof text - (size_t)used, " · %d of %d result%s", received, total,
             total == 1 ? "" : "s");
  draw(p, text);
}
