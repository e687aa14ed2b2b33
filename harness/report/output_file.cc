#include "report/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace smtpeer::report {

namespace {

Error io_error(const std::string& what, const std::string& path, int err) {
  return make_error(ErrorCode::kIo, what + " " + path + ": " + std::strerror(err));
}

// Fd: closes the descriptor on every path out of write_file.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // close_now: close now, reporting the error (close can report a
  // failed delayed write on some file systems).
  int close_now() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// temp_path_for: unique per process and call, so that two threads (or two
// smtpeer processes sharing an output directory) never write the same
// temporary file.
std::string temp_path_for(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

}  // namespace

Status write_file(const std::string& path, std::string_view content) {
  const std::string tmp = temp_path_for(path);
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) return io_error("cannot create", tmp, errno);

  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::unlink(tmp.c_str());
      return io_error("cannot write", tmp, err);
    }
    done += static_cast<std::size_t>(n);
  }
  // Without fsync a crash shortly after rename can leave an empty file under
  // the final name on some file systems (ext4 delayed allocation).
  if (::fsync(fd.get()) != 0 || fd.close_now() != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return io_error("cannot flush", tmp, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return io_error("cannot rename to", path, err);
  }
  return {};
}

}  // namespace smtpeer::report
