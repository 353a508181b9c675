// SPDX-License-Identifier: AGPL-3.0-or-later
// output_blocklist through the real host code: each format's file once process+flush returned,
// deduplication, expiry, the atomic replace of the list, and its state surviving a restart.
#include <doctest/doctest.h>
#include <sluice/bot.h>
#include <sys/stat.h>
#include <sluice/core/bot_harness.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace fs = std::filesystem;
using sluice::BotHarness;
using sluice::HarnessResult;
using sluice::test::read_file;
using sluice::test::TempDir;

namespace {

std::string event(const std::string& fields) {
    return R"({"__type":"Event","classification.type":"blacklist","feed.name":"Demo feed",)" + fields + "}";
}
std::string ip(const std::string& a) { return event(R"("source.ip":")" + a + "\""); }
std::string net(const std::string& n) { return event(R"("source.network":")" + n + "\""); }
std::string fqdn(const std::string& d) { return event(R"("source.fqdn":")" + d + "\""); }

std::string params(const fs::path& file, const std::string& format, const std::string& more = "") {
    return R"({"file": ")" + file.string() + R"(", "format": ")" + format + "\"" + (more.empty() ? "" : ", " + more) +
           "}";
}

ino_t inode(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_ino;
}

std::vector<std::string> folder(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::string refusal(const std::string& parameters) {
    try {
        BotHarness bot("output_blocklist", parameters);
    } catch (const std::exception& e) {
        return e.what();
    }
    FAIL("the parameters were accepted: " << parameters);
    return "";
}

}  // namespace

TEST_CASE("output_blocklist ip format lists each address once, sorted, IPv4 before IPv6") {
    TempDir dir("blocklist");
    const fs::path file = dir / "lists" / "ips.txt";
    BotHarness bot("output_blocklist", params(file, "ip"));
    const HarnessResult r =
        bot.process({ip("192.0.2.10"), ip("2001:db8::1"), ip("192.0.2.9"), ip("192.0.2.10"), fqdn("example.com")});
    CHECK(r.failed.empty());
    CHECK(read_file(file) == "192.0.2.9\n192.0.2.10\n2001:db8::1\n");
}

TEST_CASE("output_blocklist cidr format lists networks and addresses as networks") {
    TempDir dir("blocklist");
    const fs::path file = dir / "nets.txt";
    BotHarness bot("output_blocklist", params(file, "cidr"));
    bot.process({net("198.51.100.64/26"), ip("198.51.100.7"), net("198.51.100.7/32"), ip("2001:db8::5"),
                 net("2001:db8:1::/48")});
    CHECK(read_file(file) == "198.51.100.7/32\n198.51.100.64/26\n2001:db8::5/128\n2001:db8:1::/48\n");
}

TEST_CASE("output_blocklist domain format lists domains") {
    TempDir dir("blocklist");
    const fs::path file = dir / "domains.txt";
    BotHarness bot("output_blocklist", params(file, "domain"));
    bot.process({fqdn("malware.example.net"), fqdn("bad.example"), fqdn("malware.example.net")});
    CHECK(read_file(file) == "bad.example\nmalware.example.net\n");
}

TEST_CASE("output_blocklist rpz format writes a zone with SOA and NS, CNAME . per name, and a growing serial") {
    TempDir dir("blocklist");
    const fs::path file = dir / "rpz.zone";
    BotHarness bot("output_blocklist", params(file, "rpz", R"("rpz_ttl": 60)"));
    bot.process({fqdn("bad.example")});
    const std::string zone = read_file(file);
    CHECK(zone.find("$TTL 60\n") != std::string::npos);
    CHECK(zone.find("@ IN SOA localhost. hostmaster.localhost. ( ") != std::string::npos);
    CHECK(zone.find("@ IN NS localhost.\n") != std::string::npos);
    CHECK(zone.find("\nbad.example CNAME .\n*.bad.example CNAME .\n") != std::string::npos);
    const auto serial = [](const std::string& z) {
        const auto at = z.find("( ") + 2;
        return std::stoul(z.substr(at, z.find(' ', at) - at));
    };
    bot.process({fqdn("worse.example")});
    const std::string next = read_file(file);
    CHECK(next.find("\nworse.example CNAME .\n") != std::string::npos);
    CHECK(serial(next) > serial(zone));

    BotHarness exact("output_blocklist", params(dir / "exact.zone", "rpz", R"("rpz_subdomains": false)"));
    exact.process({fqdn("bad.example")});
    CHECK(read_file(dir / "exact.zone").find("*.bad.example") == std::string::npos);
}

TEST_CASE("output_blocklist zeek format writes Zeek's intel file with ADDR, SUBNET and DOMAIN") {
    TempDir dir("blocklist");
    const fs::path file = dir / "intel.dat";
    BotHarness bot("output_blocklist", params(file, "zeek"));
    bot.process(
        {ip("192.0.2.1"), net("198.51.100.0/24"), event(R"("source.fqdn":"bad.example","source.ip":"2001:db8::1")")});
    CHECK(read_file(file) ==
          "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\n"
          "192.0.2.1\tIntel::ADDR\tDemo feed\tblacklist\n"
          "198.51.100.0/24\tIntel::SUBNET\tDemo feed\tblacklist\n"
          "2001:db8::1\tIntel::ADDR\tDemo feed\tblacklist\n"
          "bad.example\tIntel::DOMAIN\tDemo feed\tblacklist\n");
}

TEST_CASE("output_blocklist nftables format writes an IPv4 and an IPv6 interval set without overlaps") {
    TempDir dir("blocklist");
    const fs::path file = dir / "blocklist.nft";
    BotHarness bot("output_blocklist", params(file, "nftables", R"("nft_table": "inet filter", "nft_set": "bad")"));
    bot.process({net("192.0.2.0/24"), ip("192.0.2.250"), ip("203.0.113.9"), ip("2001:db8::1")});
    const std::string nft = read_file(file);
    CHECK(nft.find("flush set inet filter bad_v4\nflush set inet filter bad_v6\n") != std::string::npos);
    CHECK(nft.find("\tset bad_v4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n"
                   "\t\telements = {\n\t\t\t192.0.2.0/24, 203.0.113.9\n\t\t}\n\t}\n") != std::string::npos);
    CHECK(nft.find("\tset bad_v6 {\n\t\ttype ipv6_addr\n\t\tflags interval\n"
                   "\t\telements = {\n\t\t\t2001:db8::1\n\t\t}\n\t}\n") != std::string::npos);
    CHECK(nft.find("192.0.2.250") == std::string::npos);  // inside 192.0.2.0/24: nft refuses overlaps

    // An empty set has no elements line, which nft would refuse.
    BotHarness empty("output_blocklist", params(dir / "empty.nft", "nftables"));
    const std::string empty_sets = read_file(dir / "empty.nft");
    CHECK(empty_sets.find("\tset blocklist_v4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t}\n") != std::string::npos);
    CHECK(empty_sets.find("elements = {") == std::string::npos);
}

TEST_CASE("output_blocklist rejects a value its format cannot hold, naming field and value") {
    TempDir dir("blocklist");
    BotHarness bot("output_blocklist", params(dir / "ips.txt", "ip", R"("field": ["source.ip", "source.network"])"));
    const HarnessResult r = bot.process({ip("192.0.2.1"), net("198.51.100.0/24")});
    CHECK(r.statuses == std::vector<uint32_t>{SLUICE_OK, SLUICE_REJECT});
    REQUIRE(r.failed.size() == 1);
    CHECK(r.failed[0].reason.find("field 'source.network' = '198.51.100.0/24'") != std::string::npos);
    CHECK(read_file(dir / "ips.txt") == "192.0.2.1\n");
}

TEST_CASE("output_blocklist drops entries not seen for expire seconds, also from a stopped bot's state") {
    TempDir dir("blocklist");
    const fs::path file = dir / "ips.txt";
    const long now = static_cast<long>(std::time(nullptr));
    // A state as a run long ago left it: one entry seen 2 hours ago, one a minute ago.
    sluice::test::write_file(file.string() + ".state.json",
                             R"({"serial":1,"entries":[{"indicator":"192.0.2.1","last_seen":)" +
                                 std::to_string(now - 7200) + R"(},{"indicator":"192.0.2.2","last_seen":)" +
                                 std::to_string(now - 60) + "}]}");
    BotHarness bot("output_blocklist", params(file, "ip", R"("expire": 3600)"));
    CHECK(read_file(file) == "192.0.2.2\n");  // rewritten at start

    TempDir dir2("blocklist");
    const fs::path quick = dir2 / "ips.txt";
    BotHarness fast("output_blocklist", params(quick, "ip", R"("expire": 1)"));
    fast.process({ip("192.0.2.1")});
    CHECK(read_file(quick) == "192.0.2.1\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    fast.process({ip("192.0.2.2")});
    CHECK(read_file(quick) == "192.0.2.2\n");
}

TEST_CASE("output_blocklist replaces the list atomically by rename, only when it changed, leaving no temp files") {
    TempDir dir("blocklist");
    const fs::path file = dir / "ips.txt";
    BotHarness bot("output_blocklist", params(file, "ip"));
    bot.process({ip("192.0.2.1")});
    const ino_t first = inode(file);
    bot.process({ip("192.0.2.2")});
    const ino_t second = inode(file);
    CHECK(second != first);  // a new file renamed over the old one, not rewritten in place
    CHECK(read_file(file) == "192.0.2.1\n192.0.2.2\n");
    bot.process({ip("192.0.2.1"), ip("192.0.2.2")});  // nothing new
    CHECK(inode(file) == second);
    CHECK(folder(dir.path()) == std::vector<std::string>{"ips.txt", "ips.txt.state.json"});
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);  // readable by a DNS server or Zeek running as another user
}

TEST_CASE("output_blocklist keeps its entries across a restart") {
    TempDir dir("blocklist");
    const fs::path file = dir / "domains.txt";
    {
        BotHarness bot("output_blocklist", params(file, "domain"));
        bot.process({fqdn("bad.example")});
    }
    fs::remove(file);  // the list is rebuilt from the state, not read back
    BotHarness again("output_blocklist", params(file, "domain"));
    CHECK(read_file(file) == "bad.example\n");
    again.process({fqdn("worse.example")});
    CHECK(read_file(file) == "bad.example\nworse.example\n");
}

TEST_CASE("output_blocklist refuses bad parameters and a broken state file at create time, naming them") {
    TempDir dir("blocklist");
    const fs::path file = dir / "list.txt";
    CHECK(refusal(params(file, "csv")).find("parameter 'format' = 'csv'") != std::string::npos);
    CHECK(refusal(params(file, "ip", R"("expire": -1)")).find("parameter 'expire'") != std::string::npos);
    CHECK(refusal(params(file, "nftables", R"("nft_table": "sluice")")).find("parameter 'nft_table'") !=
          std::string::npos);
    CHECK(refusal(params(file, "nftables", R"("nft_set": "a;b")")).find("parameter 'nft_set'") != std::string::npos);
    CHECK(refusal(R"({"format": "ip"})").find("file") != std::string::npos);  // required
    sluice::test::write_file(file.string() + ".state.json", "not json");
    const std::string why = refusal(params(file, "ip"));
    CHECK(why.find("list.txt.state.json") != std::string::npos);
    CHECK(why.find("not a block list state file") != std::string::npos);
}
