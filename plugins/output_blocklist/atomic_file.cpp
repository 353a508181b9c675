// SPDX-License-Identifier: AGPL-3.0-or-later
#include "atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "unique_fd.hpp"

namespace sluice::output_blocklist {
namespace {

[[noreturn]] void fail(const std::filesystem::path& p, std::string_view doing) {
    throw std::system_error(errno, std::generic_category(), p.string() + ": " + std::string(doing));
}

// Removes the temporary file unless it was renamed into place.
struct TempFile {
    std::string path;
    bool keep = false;
    ~TempFile() {
        if (!keep) ::unlink(path.c_str());
    }
};

}  // namespace

void replace_file(const std::filesystem::path& file, std::string_view content) {
    const std::filesystem::path folder = file.parent_path().empty() ? "." : file.parent_path();
    TempFile temp{(folder / ("." + file.filename().string() + ".XXXXXX")).string()};
    bot_fd::UniqueFd fd(::mkostemp(temp.path.data(), O_CLOEXEC));
    if (!fd) {
        temp.keep = true;  // nothing was created
        fail(folder, "cannot create a temporary file");
    }
    // mkostemp makes 0600; the readers of a block list (a DNS server, Zeek) often run as others.
    if (::fchmod(fd.get(), 0644) != 0) fail(temp.path, "chmod");
    for (size_t done = 0; done < content.size();) {
        const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(temp.path, "write");
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd.get()) != 0) fail(temp.path, "fsync");
    fd.reset();
    if (::rename(temp.path.c_str(), file.c_str()) != 0) fail(file, "rename");
    temp.keep = true;
    bot_fd::UniqueFd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir || ::fsync(dir.get()) != 0) fail(folder, "fsync of the folder");
}

}  // namespace sluice::output_blocklist
