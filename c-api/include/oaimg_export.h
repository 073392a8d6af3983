/* Symbol visibility for liboaimg. The library is built with hidden visibility; only declarations
 * marked OAIMG_API are exported. */
#ifndef OAIMG_EXPORT_H
#define OAIMG_EXPORT_H

#if defined(_WIN32)
#  if defined(OAIMG_BUILDING_LIBRARY)
#    define OAIMG_API __declspec(dllexport)
#  else
#    define OAIMG_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && defined(OAIMG_BUILDING_LIBRARY)
#  define OAIMG_API __attribute__((visibility("default")))
#else
#  define OAIMG_API
#endif

#endif /* OAIMG_EXPORT_H */
