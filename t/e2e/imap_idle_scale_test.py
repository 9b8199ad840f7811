"""2,000 concurrent IDLE connections to one slotd on loopback all receive
EXISTS after one APPEND. Bounded: fixed count, every wait has a deadline,
every socket is closed and slotd is stopped by PID."""
import asyncio
import imaplib
import resource
import sys

import slotlib

CLIENTS = int(__import__("os").environ.get("IDLE_CLIENTS", "2000"))
DEADLINE = float(__import__("os").environ.get("IDLE_DEADLINE", "120"))  # generous for a loaded 2-core CI box


async def idle_client(port, ready, done):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        await reader.readline()  # greeting
        for tag, cmd in ((b"a", b"LOGIN alice secret"), (b"b", b"SELECT INBOX")):
            writer.write(tag + b" " + cmd + b"\r\n")
            while True:
                line = await reader.readline()
                if not line:
                    raise AssertionError("closed during " + cmd.decode())
                if line.startswith(tag + b" "):
                    if not line.startswith(tag + b" OK"):
                        raise AssertionError(line)
                    break
        writer.write(b"c IDLE\r\n")
        while not (await reader.readline()).startswith(b"+"):
            pass
        ready.release()
        while True:
            line = await reader.readline()
            if not line:
                raise AssertionError("closed while idling")
            if line.strip() == b"* 1 EXISTS":
                break
        done.release()
        writer.write(b"DONE\r\nd LOGOUT\r\n")
        await writer.drain()
    finally:
        writer.close()


async def main(slot):
    port = slot.ports["imap"]
    ready = asyncio.Semaphore(0)
    done = asyncio.Semaphore(0)
    limit = asyncio.Semaphore(200)  # connect in waves; all stay open

    async def start(i):
        async with limit:
            pass
        await idle_client(port, ready, done)

    tasks = [asyncio.create_task(start(i)) for i in range(CLIENTS)]

    async def count(sem, n):
        for _ in range(n):
            await sem.acquire()

    try:
        await asyncio.wait_for(count(ready, CLIENTS), DEADLINE)
        # Every client idles; one APPEND from another connection.
        m = imaplib.IMAP4("127.0.0.1", port)
        m.login("alice", "secret")
        typ, _ = m.append("INBOX", None, None, b"Subject: wake\r\n\r\nup\r\n")
        assert typ == "OK"
        m.logout()
        await asyncio.wait_for(count(done, CLIENTS), DEADLINE)
        await asyncio.gather(*tasks)
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def run():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < CLIENTS + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, CLIENTS * 2), hard))
    # All connect at once from one address: lift the per-IP limits too.
    extra = ["%s = %d" % (key, CLIENTS + 10) for key in (
        "max_sessions_per_user", "max_connections_per_ip", "max_login_connections_per_ip")]
    with slotlib.Slot(tls=False, extra=extra) as slot:
        asyncio.run(main(slot))
        print("%d IDLE clients all received EXISTS" % CLIENTS)


if __name__ == "__main__":
    try:
        run()
    except Exception as e:  # one line for the log, non-zero exit
        print("FAIL:", repr(e))
        sys.exit(1)
