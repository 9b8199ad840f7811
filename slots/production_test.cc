#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/fs.h"
#include "slots/production.h"
#include "slots/slot_settings.h"
#include "t/unit/temp_dir.h"

namespace slotmail::slots {
namespace {

// Lines 1-6; a broken variant appends from line 7.
const std::string kSmall =
    "slotmail-production 1 serial=7\n"
    "machine m1 address=127.0.0.11 capacity=40G\n"
    "machine m2 address=127.0.0.12 capacity=40G\n"
    "slot m1:1 size=10G\n"
    "slot m2:1 size=10G\n"
    "store s1 epoch=1 mode=async master=m1:1 replicas=m2:1\n";

// The example cluster (the repo's production.dat without its comments).
const std::string kExample =
    "slotmail-production 1 serial=1\n"
    "machine m1 address=127.0.0.11 capacity=40G\n"
    "machine m2 address=127.0.0.12 capacity=40G\n"
    "machine m3 address=127.0.0.13 capacity=40G\n"
    "slot m1:1 size=10G\nslot m1:2 size=10G\n"
    "slot m2:1 size=10G\nslot m2:2 size=10G\n"
    "slot m3:1 size=10G\nslot m3:2 size=10G\n"
    "store s1 epoch=1 mode=async master=m1:1 replicas=m2:1\n"
    "store s2 epoch=3 mode=sync master=m2:2 replicas=m3:1 on_replica_down=degrade\n"
    "store s3 epoch=1 mode=async master=m3:2 replicas=m1:2\n";

// Every problem of `text`: syntax, then the rules.
std::vector<Problem> ProblemsOf(const std::string& text) {
  std::vector<Problem> problems;
  Production p = ParseProduction(text, "production.dat", &problems);
  CheckProduction(p, &problems);
  return problems;
}

// `text` has exactly one problem, on `line`, whose reason holds `phrase`.
void ExpectOneProblem(const std::string& text, int line, const std::string& phrase) {
  std::vector<Problem> problems = ProblemsOf(text);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].line == line);
  INFO("reason: ", problems[0].reason);
  CHECK(problems[0].reason.find(phrase) != std::string::npos);
}

LocalSettings TestLocal() {
  auto local = ParseLocalSettings(
      "data_dir = /srv/slotmail/\nrun_dir = /run/slotmail\ntls_cert = /etc/c.pem\n"
      "tls_key = /etc/k.pem\ncluster_ca = /etc/ca.pem\nworkers = 4\n",
      "local.conf");
  REQUIRE(local.ok());
  return *local;
}

TEST_CASE("production: the example cluster parses with no problem") {
  std::vector<Problem> problems;
  Production p = ParseProduction(kExample, "production.dat", &problems);
  CheckProduction(p, &problems);
  CHECK(problems.empty());
  CHECK(p.version == 1);
  CHECK(p.serial == 1);
  CHECK(p.machines.size() == 3);
  CHECK(p.slots.size() == 6);
  REQUIRE(p.FindMachine("m2"));
  CHECK(p.FindMachine("m2")->address == "127.0.0.12");
  CHECK(p.FindMachine("m2")->capacity == 40ull << 30);
  REQUIRE(p.FindSlot("m3:2"));
  CHECK(p.FindSlot("m3:2")->size == 10ull << 30);
  CHECK(p.FindSlot("m4:1") == nullptr);
  const StoreDef* s2 = p.FindStore("s2");
  REQUIRE(s2);
  CHECK(s2->epoch == 3);
  CHECK(s2->sync_mode);
  CHECK(s2->degrade_when_replica_down);
  CHECK(s2->masters == std::vector<std::string>{"m2:2"});
  CHECK(s2->replicas == std::vector<std::string>{"m3:1"});
  CHECK(p.StoreOfSlot("m1:2") == p.FindStore("s3"));
  CHECK(p.StoreOfSlot("m1:1") == p.FindStore("s1"));
}

TEST_CASE("production: the repo's production.dat has no problem") {
  auto p = LoadValidProduction("production.dat");
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  CHECK(p->stores.size() == 3);
  CHECK(p->FindStore("s2")->sync_mode);
}

TEST_CASE("production: comments, blank lines, tabs, CRLF and any record order are accepted") {
  std::vector<Problem> problems;
  Production p = ParseProduction(
      "# the cluster\n\nslotmail-production 1 serial=2  # header\r\n"
      "store\ts1 replicas=m2:1 master=m1:1 mode=async epoch=1\n"
      "slot m2:1 size=512M\n   \t\nslot m1:1 size=1T\n"
      "machine m1 address=127.0.0.11 capacity=2T\n"
      "machine m2 capacity=1T address=127.0.0.12 # second\n"
      "slot m1:2 size=5000000000\n",
      "production.dat", &problems);
  CheckProduction(p, &problems);
  CHECK(problems.empty());
  CHECK(p.serial == 2);
  REQUIRE(p.FindSlot("m1:2"));
  CHECK(p.FindSlot("m1:2")->size == 5000000000);
  CHECK(p.FindSlot("m1:2")->line == 10);
  CHECK(p.FindMachine("m2")->address == "127.0.0.12");
}

// ---- rule 1: syntax

TEST_CASE("production: a file not starting with the header is refused") {
  ExpectOneProblem("# comment\nmachine m1 address=127.0.0.11 capacity=1G\n", 2,
                   "the first record must be the header");
  ExpectOneProblem("", 0, "expected the header");
}

TEST_CASE("production: an unknown format version is refused") {
  ExpectOneProblem("slotmail-production 2 serial=1\n", 1, "format version 2 is not known");
  ExpectOneProblem("slotmail-production one serial=1\n", 1, "bad version 'one'");
  ExpectOneProblem("slotmail-production 1\n", 1, "missing serial=");
}

TEST_CASE("production: a second header is refused") {
  ExpectOneProblem(kSmall + "slotmail-production 1 serial=8\n", 7,
                   "a second header (the first is on line 1)");
}

TEST_CASE("production: an unknown record type is refused") {
  ExpectOneProblem(kSmall + "slto m1:2 size=1G\n", 7, "unknown record type 'slto'");
}

TEST_CASE("production: an unknown key is refused") {
  ExpectOneProblem(kSmall + "machine m3 address=127.0.0.13 capacty=1G capacity=1G\n", 7,
                   "machine m3: unknown key 'capacty'");
}

TEST_CASE("production: a key given twice is refused") {
  ExpectOneProblem(kSmall + "slot m1:2 size=1G size=2G\n", 7, "slot m1:2: size is given twice");
}

TEST_CASE("production: a missing key or a word without '=' is refused") {
  ExpectOneProblem(kSmall + "machine m3 address=127.0.0.13\n", 7, "missing capacity=");
  ExpectOneProblem(kSmall + "slot m1:2 size=1G imap\n", 7, "'imap' is not key=value");
  ExpectOneProblem(kSmall + "slot size=1G\n", 7, "a name must follow 'slot'");
}

TEST_CASE("production: a bad size is refused") {
  ExpectOneProblem(kSmall + "slot m1:2 size=10GB\n", 7, "bad size '10GB'");
  ExpectOneProblem(kSmall + "slot m1:2 size=0\n", 7, "bad size '0'");
  ExpectOneProblem(kSmall + "machine m3 address=127.0.0.13 capacity=99999999T\n", 7,
                   "bad capacity '99999999T'");
}

TEST_CASE("production: a bad number is refused") {
  ExpectOneProblem(kSmall + "store s2 epoch=-1 mode=async master=m1:1 replicas=m2:1\n", 7,
                   "bad epoch '-1'");
  ExpectOneProblem("slotmail-production 1 serial=1x\n", 1, "bad serial '1x'");
  ExpectOneProblem(kSmall + "slot m1:2 size=1G imap=70000\n", 7, "bad imap port '70000'");
}

TEST_CASE("production: a bad name is refused") {
  ExpectOneProblem(kSmall + "machine M3 address=127.0.0.13 capacity=1G\n", 7,
                   "machine M3: bad machine name");
  ExpectOneProblem(kSmall + "slot m1:401 size=1G\n", 7, "slot m1:401: bad slot name");
  ExpectOneProblem(kSmall + "slot m1:01 size=1G\n", 7, "bad slot name");
  ExpectOneProblem(kSmall + "store s_2 epoch=1 mode=async master=m1:1 replicas=m2:1\n", 7,
                   "bad store name");
  ExpectOneProblem(kSmall + "store s2 epoch=1 mode=async master=m1 replicas=m2:1\n", 7,
                   "bad slot name 'm1' in master=");
}

TEST_CASE("production: a bad address, mode or on_replica_down is refused") {
  ExpectOneProblem(kSmall + "machine m3 address=127.0.0.013 capacity=1G\n", 7,
                   "bad address '127.0.0.013'");
  ExpectOneProblem(kSmall + "machine m3 address=host.example capacity=1G\n", 7, "bad address");
  ExpectOneProblem(kSmall + "store s2 epoch=1 mode=lazy master=m1:1 replicas=m2:1\n", 7,
                   "bad mode 'lazy'");
  ExpectOneProblem(kSmall + "store s2 epoch=1 mode=async master=m1:1 replicas=m2:1 "
                            "on_replica_down=degrade\n",
                   7, "on_replica_down applies to mode=sync only");
}

TEST_CASE("production: a line over 4096 bytes is refused") {
  ExpectOneProblem(kSmall + "#" + std::string(4096, 'x') + "\n", 7, "line longer than 4096");
}

// ---- rules 2-9

TEST_CASE("production: a name defined twice is refused") {
  ExpectOneProblem(kSmall + "slot m1:1 size=1G\n", 7,
                   "slot m1:1 is defined twice (first on line 4)");
  ExpectOneProblem(kSmall + "machine m2 address=127.0.0.13 capacity=1G\n", 7,
                   "machine m2 is defined twice");
  ExpectOneProblem(kSmall + "store s1 epoch=1 mode=async master=m1:1 replicas=m2:1\n", 7,
                   "store s1 is defined twice");
}

TEST_CASE("production: a slot on an unknown machine is refused") {
  ExpectOneProblem(kSmall + "slot m9:1 size=1G\n", 7,
                   "slot m9:1 is on machine m9, which is not defined");
}

TEST_CASE("production: a store naming an unknown slot is refused") {
  ExpectOneProblem(kSmall + "slot m1:2 size=1G\n"
                            "store s2 epoch=1 mode=async master=m1:2 replicas=m2:9\n",
                   8, "store s2 names slot m2:9, which is not defined");
}

TEST_CASE("production: a store without exactly one master or without a replica is refused") {
  const std::string spares = kSmall + "slot m1:2 size=1G\nslot m2:2 size=1G\n";  // lines 7-8
  ExpectOneProblem(spares + "store s2 epoch=1 mode=async replicas=m2:2\n", 9,
                   "store s2 has no master");
  ExpectOneProblem(spares + "store s2 epoch=1 mode=async master=m1:2\n", 9,
                   "store s2 has no replica");
  std::vector<Problem> problems =
      ProblemsOf(spares + "store s2 epoch=1 mode=async master=m1:2,m2:2 replicas=m2:2\n");
  REQUIRE(!problems.empty());
  CHECK(problems[0].line == 9);
  CHECK(problems[0].reason == "store s2 has 2 masters (m1:2, m2:2); it needs exactly one");
}

TEST_CASE("production: a store with two slots on one machine is refused") {
  ExpectOneProblem(kSmall + "slot m1:2 size=1G\n"
                            "store s2 epoch=1 mode=async master=m1:2 replicas=m1:3\n"
                            "slot m1:3 size=1G\n",
                   8, "store s2: slots m1:2 and m1:3 are both on machine m1");
}

TEST_CASE("production: a slot in two stores, or twice in one, is refused") {
  ExpectOneProblem(kSmall + "slot m1:2 size=1G\n"
                            "store s2 epoch=1 mode=async master=m1:2 replicas=m2:1\n",
                   8, "slot m2:1 is in stores s1 and s2");
  ExpectOneProblem(kSmall + "slot m1:2 size=1G\n"
                            "store s2 epoch=1 mode=async master=m1:2 replicas=m1:2\n",
                   8, "store s2 names slot m1:2 twice");
}

TEST_CASE("production: two listeners on one address and port are refused") {
  ExpectOneProblem(kSmall + "slot m1:2 size=1G imap=20143\n", 7,
                   "127.0.0.11:20143 is used by m1:1 imap and m1:2 imap");
  ExpectOneProblem(kSmall + "slot m1:2 size=1G lmtp=20200\n", 7,
                   "127.0.0.11:20200 is used by m1:2 control and m1:2 lmtp");
}

TEST_CASE("production: slots over their machine's capacity are refused") {
  ExpectOneProblem(kSmall + "slot m2:2 size=30G\nslot m2:3 size=1G\n", 3,
                   "machine m2: its slots need 41G (m2:1 10G, m2:2 30G, m2:3 1G) but its "
                   "capacity is 40G");
}

TEST_CASE("production: two machines with the same address are refused") {
  // Once, not again for each listener their slots m2:1 and m3:1 share.
  ExpectOneProblem(kSmall + "machine m3 address=127.0.0.12 capacity=10G\nslot m3:1 size=1G\n", 7,
                   "machines m2 and m3 have the same address 127.0.0.12");
}

TEST_CASE("production: problems come in line order and format as FILE:LINE: reason") {
  std::vector<Problem> problems = ProblemsOf(
      kSmall + "machine m3 address=127.0.0.12 capacity=1G\nslot m9:1 size=1G\nbogus\n");
  REQUIRE(problems.size() == 3);
  CHECK(problems[0].line == 7);
  CHECK(problems[1].line == 8);
  CHECK(problems[2].line == 9);  // a syntax problem, found before the others
  CHECK(FormatProblem("p.dat", problems[0]) ==
        "p.dat:7: machines m2 and m3 have the same address 127.0.0.12");
  CHECK(FormatProblem("p.dat", Problem{0, "empty"}) == "p.dat: empty");
}

TEST_CASE("production: LoadValidProduction lists every problem, and IOError for no file") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/production.dat";
  REQUIRE(fs::WriteNewFile(path, kSmall + "slot m9:1 size=1G\nslot m1:1 size=1G\n").ok());
  auto p = LoadValidProduction(path);
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().code() == Code::kInvalidArgument);
  CHECK(p.status().message() == path + ":7: slot m9:1 is on machine m9, which is not defined\n" +
                                    path + ":8: slot m1:1 is defined twice (first on line 4)");
  CHECK(LoadValidProduction(dir.path() + "/absent").status().code() == Code::kIOError);
}

// ---- names, sizes, ports

TEST_CASE("production: slot names, sizes and derived ports") {
  std::string machine;
  int number = 0;
  REQUIRE(ParseSlotName("m1:400", &machine, &number));
  CHECK(machine == "m1");
  CHECK(number == 400);
  for (const char* bad : {"m1", "m1:0", "m1:401", "m1:", ":1", "M1:1", "m1:1:2", "m1:+1"}) {
    CHECK_FALSE(ParseSlotName(bad, &machine, &number));
  }
  uint64_t bytes = 0;
  REQUIRE(ParseSize("3K", &bytes));
  CHECK(bytes == 3072);
  REQUIRE(ParseSize("16T", &bytes));
  CHECK(bytes == 16ull << 40);
  REQUIRE(ParseSize("123", &bytes));
  CHECK(bytes == 123);
  for (const char* bad : {"", "G", "1g", "1.5G", "0K", "16777216T", " 1G"}) {
    CHECK_FALSE(ParseSize(bad, &bytes));
  }
  CHECK(FormatSize(40ull << 30) == "40G");
  CHECK(FormatSize(1536) == "1536");
  CHECK(FormatSize(3ull << 20) == "3M");

  SlotPorts one = DerivedPorts(1);
  CHECK(one.control == 20100);
  CHECK(one.replication == 20101);
  CHECK(one.pop3 == 20110);
  CHECK(one.lmtp == 20124);
  CHECK(one.imap == 20143);
  CHECK(one.imaps == 20193);
  CHECK(DerivedPorts(400).imaps == 60093);

  std::vector<Problem> problems;
  Production p = ParseProduction(kSmall + "slot m1:7 size=1G imap=1143 imaps=993\n", "x", &problems);
  CHECK(problems.empty());
  const SlotDef* s = p.FindSlot("m1:7");
  REQUIRE(s);
  CHECK(s->ports.imap == 1143);
  CHECK(s->ports.imaps == 993);
  CHECK(s->ports.lmtp == 20724);
  CHECK(s->ports.control == 20700);
}

// ---- the machine-local file and what a slot derives

TEST_CASE("production: a master derives its listeners, paths and store") {
  std::vector<Problem> problems;
  Production p = ParseProduction(kExample, "production.dat", &problems);
  REQUIRE(problems.empty());
  auto c = DeriveSlotConfig(p, "m2:2", TestLocal());
  REQUIRE(c.ok());
  CHECK(FormatConfig(*c) ==
        "cluster_ca = /etc/ca.pem\n"
        "control_listen = 127.0.0.12:20200\n"
        "control_socket = /run/slotmail/m2-2.sock\n"
        "epoch = 3\n"
        "imap_listen = 127.0.0.12:20243\n"
        "imaps_listen = 127.0.0.12:20293\n"
        "lmtp_listen = 127.0.0.12:20224\n"
        "master = m2:2\n"
        "master_imap = 127.0.0.12:20243\n"
        "master_lmtp = 127.0.0.12:20224\n"
        "mode = sync\n"
        "on_replica_down = degrade\n"
        "pop3_listen = 127.0.0.12:20210\n"
        "replication_listen = 127.0.0.12:20201\n"
        "role = master\n"
        "size = 10737418240\n"
        "slot = m2:2\n"
        "slot_dir = /srv/slotmail/m2-2\n"
        "store = s2\n"
        "store_slots = m2:2=127.0.0.12:20201,m3:1=127.0.0.13:20101\n"
        "tls_cert = /etc/c.pem\n"
        "tls_key = /etc/k.pem\n"
        "workers = 4\n");
  // What mailctl config prints, slotd reads back.
  auto back = ConfigFile::Parse(FormatConfig(*c), "derived");
  REQUIRE(back.ok());
  CHECK(back->values() == c->values());
}

TEST_CASE("production: a replica derives its store's master") {
  std::vector<Problem> problems;
  Production p = ParseProduction(kExample, "production.dat", &problems);
  auto c = DeriveSlotConfig(p, "m1:2", TestLocal());
  REQUIRE(c.ok());
  CHECK(c->Get("role", "") == "replica");
  CHECK(c->Get("store", "") == "s3");
  CHECK(c->Get("epoch", "") == "1");
  CHECK(c->Get("mode", "") == "async");
  CHECK(c->Get("master", "") == "m3:2");
  CHECK(c->Get("master_imap", "") == "127.0.0.13:20243");
  CHECK(c->Get("master_lmtp", "") == "127.0.0.13:20224");
  CHECK(c->Get("imap_listen", "") == "127.0.0.11:20243");
  CHECK(c->Get("slot_dir", "") == "/srv/slotmail/m1-2");
}

TEST_CASE("production: a spare derives no store, role spare and epoch 0") {
  std::vector<Problem> problems;
  Production p = ParseProduction(kExample + "slot m3:3 size=1G\n", "production.dat", &problems);
  CheckProduction(p, &problems);
  REQUIRE(problems.empty());
  auto c = DeriveSlotConfig(p, "m3:3", TestLocal());
  REQUIRE(c.ok());
  CHECK(c->Get("role", "") == "spare");
  CHECK(c->Get("store", "x") == "");
  CHECK(c->Get("epoch", "") == "0");
  CHECK(c->Get("master", "x") == "");
  CHECK(c->Get("master_imap", "x") == "");
  CHECK(c->Get("master_lmtp", "x") == "");
  CHECK(c->Get("imap_listen", "") == "127.0.0.13:20343");
  CHECK(FormatConfig(*c).find("\nmaster =\n") != std::string::npos);
  CHECK(DeriveSlotConfig(p, "m3:9", TestLocal()).status().code() == Code::kNotFound);
}

TEST_CASE("production: the local file refuses keys production.dat decides") {
  auto local = ParseLocalSettings(
      "data_dir = /srv\ntls_cert = c\ntls_key = k\ncluster_ca = ca\nslot_dir = /srv/x\n",
      "local.conf");
  REQUIRE_FALSE(local.ok());
  CHECK(local.status().code() == Code::kInvalidArgument);
  CHECK(local.status().message() ==
        "local.conf: slot_dir is decided by production.dat, not the machine-local file");
  auto typo = ParseLocalSettings(
      "data_dir = /srv\ntls_cert = c\ntls_key = k\ncluster_ca = ca\nworker = 4\n", "local.conf");
  CHECK(typo.status().message() == "local.conf: unknown setting worker");
}

TEST_CASE("production: the local file requires data_dir and the TLS files") {
  auto local = ParseLocalSettings("tls_cert = c\ntls_key = k\ncluster_ca = ca\n", "local.conf");
  REQUIRE_FALSE(local.ok());
  CHECK(local.status().message() == "local.conf: data_dir is required");
  CHECK(ParseLocalSettings("data_dir = /srv\ntls_cert = c\ntls_key = k\n", "l").status().message() ==
        "l: cluster_ca is required");
  auto ok = ParseLocalSettings("data_dir = /srv\ntls_cert = c\ntls_key = k\ncluster_ca = ca\n", "l");
  REQUIRE(ok.ok());
  CHECK(ok->run_dir == "/srv");  // run_dir defaults to data_dir
  SlotDef slot;
  slot.machine = "m2";
  slot.number = 3;
  CHECK(SlotDirectory(*ok, slot) == "/srv/m2-3");
  CHECK(ControlSocketPath(*ok, slot) == "/srv/m2-3.sock");
}

TEST_CASE("production: LoadLocalSettings reads a file and names it") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/local.conf";
  REQUIRE(fs::WriteNewFile(path, "data_dir = /srv\ntls_cert = c\ntls_key = k\n"
                                 "cluster_ca = ca\nkdf_iterations = 1000\n")
              .ok());
  auto local = LoadLocalSettings(path);
  REQUIRE(local.ok());
  CHECK(local->origin == path);
  CHECK(local->passthrough.Get("kdf_iterations", "") == "1000");
  CHECK_FALSE(LoadLocalSettings(dir.path() + "/absent").ok());
}

}  // namespace
}  // namespace slotmail::slots
