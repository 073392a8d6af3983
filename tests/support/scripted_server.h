// A hostile HTTP server for one test: it answers every request on 127.0.0.1 with whatever raw
// bytes the test scripts, at whatever pace, which the strict stand-in server (fake_openai.py)
// will never do: bodies nested 100,000 levels deep, echoed keys, 10,000 results, redirects,
// answers trickling a byte at a time. Connections are served one after another on one thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>

namespace oaimg_test {

class ScriptedServer {
 public:
  // Called once per request with the connected socket and the request's head and body; writes
  // the answer with send_all(). The connection is closed when it returns.
  using Handler = std::function<void(ScriptedServer& server, int fd, const std::string& request)>;

  explicit ScriptedServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd_ < 0) throw std::runtime_error("ScriptedServer: socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(listen_fd_, 16) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      close(listen_fd_);
      throw std::runtime_error("ScriptedServer: bind/listen failed");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }

  ~ScriptedServer() {
    stopping_ = true;
    thread_.join();
    close(listen_fd_);
  }

  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  int port() const { return port_; }
  int requests() const { return requests_; }
  bool stopping() const { return stopping_; }

  // False once the peer has gone (the client aborted) or the server is stopping.
  bool send_all(int fd, const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size() && !stopping_) {
      ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += size_t(n);
    }
    return sent == bytes.size();
  }

  // A whole HTTP/1.1 answer with Content-Length.
  bool respond(int fd, int status, const std::string& content_type, const std::string& body,
               const std::string& extra_headers = "") {
    return send_all(fd, "HTTP/1.1 " + std::to_string(status) + " Scripted\r\nContent-Type: " +
                            content_type + "\r\nContent-Length: " + std::to_string(body.size()) +
                            "\r\nConnection: close\r\n" + extra_headers + "\r\n" + body);
  }

  // Sleeps in small steps so that a stopping server does not wait out a long pause.
  void pause(std::chrono::milliseconds how_long) {
    auto end = std::chrono::steady_clock::now() + how_long;
    while (!stopping_ && std::chrono::steady_clock::now() < end)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

 private:
  void serve() {
    while (!stopping_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      ++requests_;
      std::string request = read_request(fd);
      handler_(*this, fd, request);
      // What was read holds the client's Authorization header; a test that scans this process's
      // memory for the key must find only the library's copies.
      wipe(request);
      shutdown(fd, SHUT_RDWR);
      close(fd);
    }
  }

  // The head and, when Content-Length says so, the body; bounded by size and a 5 s wait.
  static void wipe(void* p, size_t n) {
    auto* bytes = static_cast<volatile char*>(p);
    for (size_t i = 0; i < n; ++i) bytes[i] = 0;
  }
  static void wipe(std::string& s) { wipe(s.data(), s.capacity()); }

  std::string read_request(int fd) {
    std::string data;
    data.reserve(1 << 20);  // no reallocation, so no unwiped old buffer, for ordinary requests
    char buffer[65536];
    size_t want = std::string::npos;
    for (int turn = 0; turn < 10000 && !stopping_; ++turn) {
      size_t head_end = data.find("\r\n\r\n");
      if (head_end != std::string::npos && want == std::string::npos) {
        want = head_end + 4;
        size_t at = data.find("Content-Length:");
        if (at == std::string::npos) at = data.find("content-length:");
        if (at != std::string::npos && at < head_end) want += std::strtoul(data.c_str() + at + 15, nullptr, 10);
      }
      if (want != std::string::npos && data.size() >= want) break;
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 5000) <= 0) break;
      ssize_t n = recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      data.append(buffer, size_t(n));
      if (data.size() > (64u << 20)) break;
    }
    wipe(buffer, sizeof buffer);
    return data;
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace oaimg_test
