"""RSS per idle IMAP connection: 10,000 clients logged in, INBOX selected,
in IDLE, against one slotd on loopback. Prints the figure; never fails on
it (a benchmark, not a test). Goal (imapd issue): under 64 KB each.

Clients spread over 127.0.0.1-4 as source addresses, because slotd limits
connections per address."""
import asyncio
import os
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "t", "e2e"))
import slotlib  # noqa: E402

CLIENTS = int(os.environ.get("RSS_CLIENTS", "10000"))
GOAL_KB = 64


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def idle_client(port, i, handshakes, ready, release):
    async with handshakes:  # bounded number of logins in flight
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, local_addr=("127.0.0.%d" % (1 + i % 4), 0))
        await reader.readline()
        for tag, cmd in ((b"a", b"LOGIN alice secret"), (b"b", b"SELECT INBOX")):
            writer.write(tag + b" " + cmd + b"\r\n")
            while not (await reader.readline()).startswith(tag + b" "):
                pass
        writer.write(b"c IDLE\r\n")
        await reader.readline()
    ready.release()
    await release.wait()
    writer.close()


async def main(slot):
    handshakes = asyncio.Semaphore(500)
    ready = asyncio.Semaphore(0)
    release = asyncio.Event()
    pid = slot.proc.pid
    base = rss_kb(pid)
    start = time.monotonic()
    tasks = [asyncio.create_task(idle_client(slot.ports["imap"], i, handshakes, ready, release))
             for i in range(CLIENTS)]

    async def all_ready():
        for _ in range(CLIENTS):
            await ready.acquire()

    await asyncio.wait_for(all_ready(), 600)
    elapsed = time.monotonic() - start
    after = rss_kb(pid)
    per_kb = (after - base) / CLIENTS
    print("idle_rss_clients: %d (logged in, INBOX selected, in IDLE; all connected in %.1f s)"
          % (CLIENTS, elapsed))
    print("idle_rss_slotd: %d KB before, %d KB after" % (base, after))
    print("idle_rss_per_connection: %.1f KB goal: < %d KB (%s)" %
          (per_kb, GOAL_KB, "goal met" if per_kb < GOAL_KB else "goal missed"))
    release.set()
    await asyncio.gather(*tasks, return_exceptions=True)


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    # All connect at once from one address: lift the per-IP limits too.
    extra = ["%s = %d" % (key, CLIENTS + 10) for key in (
        "max_sessions_per_user", "max_connections_per_ip", "max_login_connections_per_ip")]
    with slotlib.Slot(tls=False, extra=extra) as slot:
        asyncio.run(main(slot))
