#include <oaimg.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  /* The header the consumer compiled against and the library it loaded agree. */
  if (oaimg_version_number() != OAIMG_VERSION_NUMBER) return 1;
  if (strcmp(oaimg_version_string(), OAIMG_VERSION_STRING) != 0) return 1;
  printf("oaimg %s\n", oaimg_version_string());
  return 0;
}
