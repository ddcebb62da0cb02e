#include "io/native/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace prunq {
namespace {

std::string errno_text() { return std::strerror(errno); }

std::string parent_dir(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Closes the descriptor and removes the temporary file unless release() was called.
class TempFile {
 public:
  TempFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }
  int close_fd() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }
  void committed() { committed_ = true; }

 private:
  std::string path_;
  int fd_;
  bool committed_ = false;
};

}  // namespace

void write_file_atomic(const std::string& path, const void* data, size_t size) {
  PRUNQ_CHECK(!path.empty(), "write_file_atomic: empty path");
  static std::atomic<uint64_t> counter{0};
  std::string tmp_path = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  int fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot write '", path, "': creating temporary file '", tmp_path, "' failed: ", errno_text());
  TempFile tmp(tmp_path, fd);

  const auto* p = static_cast<const uint8_t*>(data);
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(tmp.fd(), p + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("cannot write '", path, "': writing ", size, " bytes failed after ", done, ": ", errno_text());
    done += static_cast<size_t>(n);
  }
  if (::fsync(tmp.fd()) != 0) fail("cannot write '", path, "': fsync failed: ", errno_text());
  if (tmp.close_fd() != 0) fail("cannot write '", path, "': close failed: ", errno_text());
  if (::rename(tmp_path.c_str(), path.c_str()) != 0)
    fail("cannot write '", path, "': renaming the temporary file into place failed: ", errno_text());
  tmp.committed();

  std::string dir = parent_dir(path);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) fail("wrote '", path, "' but cannot open its folder '", dir, "' to sync it: ", errno_text());
  int rc = ::fsync(dfd);
  int saved = errno;
  ::close(dfd);
  errno = saved;
  if (rc != 0) fail("wrote '", path, "' but syncing its folder '", dir, "' failed: ", errno_text());
}

std::vector<uint8_t> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot open '", path, "': ", errno_text());
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    fail("cannot read '", path, "': not a regular file");
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = n == 0 ? "file shrank while reading" : errno_text();
      ::close(fd);
      fail("cannot read '", path, "': ", why);
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return bytes;
}

}  // namespace prunq
