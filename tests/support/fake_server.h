// A private instance of the stand-in Images API server (tests/server/fake_openai.py) for one test
// process: started in the constructor, stopped in the destructor, so tests run in parallel
// without sharing state. Test targets define OAIMG_FAKE_SERVER as the script's path.
#pragma once

#include <curl/curl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#ifndef OAIMG_FAKE_SERVER
#error "OAIMG_FAKE_SERVER must be defined to the path of tests/server/fake_openai.py"
#endif
#ifndef OAIMG_PYTHON3
#define OAIMG_PYTHON3 "python3"
#endif

namespace oaimg_test {

class FakeServer {
 public:
  FakeServer() {
    static std::once_flag curl_once;
    std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

    char dir_template[] = "/tmp/oaimg-fake-XXXXXX";
    if (!mkdtemp(dir_template)) throw std::runtime_error("FakeServer: mkdtemp failed");
    dir_ = dir_template;
    port_file_ = dir_ + "/port";

    // Everything the child needs is built before fork(): after it, only exec-safe calls.
    std::string script = OAIMG_FAKE_SERVER;
    const char* argv[] = {OAIMG_PYTHON3, script.c_str(), "--port-file", port_file_.c_str(),
                          nullptr};
    pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("FakeServer: fork failed");
    if (pid_ == 0) {
      // A crashed test must not leave servers behind.
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(127);
      execvp(argv[0], const_cast<char* const*>(argv));
      _exit(127);
    }

    // Bounded wait: 15 s in 10 ms steps, giving up early if the server died.
    using namespace std::chrono;
    const auto deadline = steady_clock::now() + seconds(15);
    for (int i = 0; i < 1500 && steady_clock::now() < deadline; ++i) {
      std::ifstream in(port_file_);
      if (in >> port_ && port_ > 0) return;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        cleanup_files();
        throw std::runtime_error("FakeServer: server exited before listening (" + script + ")");
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
    stop();
    throw std::runtime_error("FakeServer: no port file after 15 s");
  }

  ~FakeServer() { stop(); }

  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  int port() const { return port_; }

  // The key the server accepts: $OAIMG_FAKE_API_KEY as the child inherits it, else the default.
  static std::string api_key() {
    const char* k = std::getenv("OAIMG_FAKE_API_KEY");
    return k && *k ? k : "sk-test-oaimg";
  }

  // Control calls (/_control/...): no auth. Throw on transport errors and non-2xx answers, so a
  // mistyped fault fails the test that set it up rather than silently doing nothing.
  std::string post(const std::string& path, const std::string& json) {
    return request(path, &json);
  }
  std::string get(const std::string& path) { return request(path, nullptr); }

 private:
  static size_t collect(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
  }

  std::string request(const std::string& path, const std::string* json) {
    CURL* curl = curl_easy_init();
    if (!curl) throw std::runtime_error("FakeServer: curl_easy_init failed");
    std::string url = "http://127.0.0.1:" + std::to_string(port_) + path;
    std::string body;
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &FakeServer::collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (json) {
      curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json->c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(json->size()));
    }
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK)
      throw std::runtime_error("FakeServer: " + path + ": " + curl_easy_strerror(rc));
    if (status < 200 || status > 299)
      throw std::runtime_error("FakeServer: " + path + " answered " + std::to_string(status) +
                               ": " + body);
    return body;
  }

  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      // Up to 5 s for a clean exit, then SIGKILL: a destructor must not hang the test.
      int status = 0;
      bool reaped = false;
      for (int i = 0; i < 500 && !reaped; ++i) {
        reaped = waitpid(pid_, &status, WNOHANG) == pid_;
        if (!reaped) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (!reaped) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
      pid_ = -1;
    }
    cleanup_files();
  }

  void cleanup_files() {
    if (dir_.empty()) return;
    std::remove(port_file_.c_str());
    std::remove((port_file_ + ".tmp").c_str());
    rmdir(dir_.c_str());
    dir_.clear();
  }

  std::string dir_, port_file_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace oaimg_test
