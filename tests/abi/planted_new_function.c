/* A function appended to the C API, as a compatible release adds one: part of the planted
 * "compatible" library of tests/abi/planted.cmake only. Declared here (not in oaimg.h) because
 * the plant must not touch the real header; the ABI tools see it as an added exported function. */
#include "oaimg.h"

OAIMG_API int oaimg_planted_new_function(oaimg_client *client);

int oaimg_planted_new_function(oaimg_client *client) { return client != NULL; }
