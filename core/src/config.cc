// The official SDKs' environment conventions, so that a key exported for them works here too.
#include <cstdlib>
#include <string>

#include "oaimg/core/client.h"

namespace oaimg {
namespace {

// An empty variable counts as unset: `OPENAI_BASE_URL= oaimg ...` must not produce an empty URL.
bool read_env(const char* name, std::string* out) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return false;
  *out = v;
  return true;
}

}  // namespace

ClientConfig config_from_environment() {
  ClientConfig config;
  read_env("OPENAI_API_KEY", &config.api_key);
  read_env("OPENAI_BASE_URL", &config.base_url);
  read_env("OPENAI_ORG_ID", &config.organization);
  read_env("OPENAI_PROJECT_ID", &config.project);
  // Endpoints are appended as "/images/...": a trailing slash would give "//images/...", which
  // some proxies refuse.
  while (!config.base_url.empty() && config.base_url.back() == '/') config.base_url.pop_back();
  return config;
}

}  // namespace oaimg
