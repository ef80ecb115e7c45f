"""The clock: virtual time jumps over waits, daemon timers wait for advance(), blocking jobs hold time."""
import asyncio
import time

from lowcloud.clock import SystemClock, VirtualClock


def test_virtual_sleep_of_a_day_takes_no_wall_time():
    clock = VirtualClock(start=1_000_000)
    try:
        async def wait_a_day():
            await clock.sleep(86_400)
            return clock.now()
        assert clock.run(wait_a_day(), timeout=5) == 1_000_000 + 86_400
    finally:
        clock.close()


def test_concurrent_sleeps_fire_in_time_order():
    clock = VirtualClock(start=0)
    order = []

    async def sleeper(n):
        await clock.sleep(n)
        order.append((n, clock.now()))

    async def main():
        await asyncio.gather(*(sleeper(n) for n in (30, 10, 20)))
    try:
        clock.run(main(), timeout=5)
        assert order == [(10, 10), (20, 20), (30, 30)]
    finally:
        clock.close()


def test_blocking_job_holds_virtual_time():
    clock = VirtualClock(start=0)

    async def main():
        sleeper = asyncio.ensure_future(clock.sleep(5))
        await clock.run_blocking(time.sleep, 0.05)
        during = clock.now()
        await sleeper
        return during, clock.now()
    try:
        assert clock.run(main(), timeout=5) == (0, 5)
    finally:
        clock.close()


def test_daemon_timers_wait_for_advance():
    clock = VirtualClock(start=0)
    fired = []
    try:
        clock.call_later(3600, fired.append, "hourly", daemon=True)
        clock.run_until_idle()
        assert fired == [] and clock.now() == 0
        clock.advance(7200)
        assert fired == ["hourly"] and clock.now() == 7200
    finally:
        clock.close()


def test_cancelled_timer_never_fires():
    clock = VirtualClock(start=0, auto=False)  # an auto clock may fire it before the cancel arrives
    fired = []
    try:
        timer = clock.call_later(10, fired.append, "x")
        timer.cancel()
        clock.advance(20)
        assert fired == []
    finally:
        clock.close()


def test_system_clock_daemon_timer_fires_in_real_time():
    clock = SystemClock()
    fired = []
    try:
        clock.call_later(0.02, fired.append, "now", daemon=True)
        deadline = time.time() + 5
        while not fired and time.time() < deadline:
            time.sleep(0.01)
        assert fired == ["now"]
    finally:
        clock.close()


def test_waiting_on_the_clock_from_its_own_loop_is_refused():
    clock = VirtualClock(start=0)

    async def inside():
        for call in (lambda: clock.advance(1), clock.run_until_idle):
            try:
                call()
            except RuntimeError as exc:
                assert "cannot be called from it" in str(exc)
            else:
                raise AssertionError("expected RuntimeError")
        return True
    try:
        assert clock.run(inside(), timeout=5) is True
    finally:
        clock.close()


def test_run_until_idle_waits_for_work_posted_while_the_loop_decides():
    """Another thread posts work and asks for idleness just after the loop polled and found nothing:
    the answer must come after that work, never from the loop's stale decision."""
    import threading

    clock = VirtualClock(start=0)
    done, seen_at_return = [], []

    async def job():
        await clock.run_blocking(time.sleep, 0.05)
        done.append(1)

    def post_and_wait():
        clock.spawn(job())
        clock.run_until_idle(timeout=5)
        seen_at_return.append(list(done))

    class StalePoll:  # polls, then lets the other thread post before the loop acts on the poll
        def __init__(self, inner):
            self.inner, self.armed = inner, True

        def select(self, timeout=None):
            found = self.inner.select(timeout)
            if timeout == 0 and self.armed:
                self.armed = False
                threading.Thread(target=post_and_wait, daemon=True).start()
                time.sleep(0.2)
            return found

        def __getattr__(self, name):
            return getattr(self.inner, name)

    try:
        clock.run_until_idle()
        selector = clock.loop._selector
        selector._inner = StalePoll(selector._inner)
        clock.call_soon(lambda: None)
        deadline = time.monotonic() + 5
        while not seen_at_return and time.monotonic() < deadline:
            time.sleep(0.01)
        assert seen_at_return == [[1]]
    finally:
        clock.close()
