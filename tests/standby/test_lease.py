"""Who serves (hub.standby.lease) against a real etcd: one holder at a time, a term that grows
with each holder, a holder that cannot renew stops being valid before the next one can start."""

from __future__ import annotations

import pytest

from hub.standby.lease import RETRY_S, Etcd, EtcdError, Lease
from tests.helpers import FakeTime, eventually
from tests.standby.etcd_parts import ETCD, OneEtcd, free_port

pytestmark = pytest.mark.skipif(not __import__("os").path.exists(ETCD),
                                reason="etcd-server is not installed (setup.sh installs it)")


@pytest.fixture(scope="module")
def etcd(tmp_path_factory):
    server = OneEtcd(tmp_path_factory.mktemp("etcd"))
    yield server
    server.stop()


def lease(etcd, hall: str, name: str, **kw) -> Lease:
    return Lease(Etcd([etcd.url]), hall, name, **kw)


def test_one_holder_at_a_time_and_the_term_grows(etcd):
    a, b = lease(etcd, "h1", "hub-a"), lease(etcd, "h1", "hub-b")
    assert a.campaign() and a.valid()
    assert not b.campaign()
    assert b.holder() == ("hub-a", a.term)
    first = a.term
    a.release()
    assert not a.valid()
    assert b.campaign()
    assert b.term > first
    b.release()


def test_a_lease_not_renewed_expires_and_the_other_takes_over(etcd):
    a, b = lease(etcd, "h2", "hub-a", ttl_s=1, margin_s=0.3), lease(etcd, "h2", "hub-b", ttl_s=1)
    assert a.campaign()
    assert a.renew()
    # a stops renewing (power pulled): etcd lets the lease lapse, then b can take the hall
    assert eventually(b.campaign, timeout=10)
    assert not a.renew()  # what a finds if it comes back: the lease is gone
    assert not a.valid()
    b.release()


def test_validity_is_measured_from_when_the_keepalive_was_sent(etcd):
    clock = FakeTime()
    a = lease(etcd, "h3", "hub-a", ttl_s=3, margin_s=0.5, clock=clock)
    assert a.campaign()
    clock.advance(2.4)
    assert a.valid()
    clock.advance(0.2)  # 2.6 s after the grant was asked for: past ttl - margin
    assert not a.valid()
    assert a.renew()  # a keep-alive proves it again from the moment it was sent
    clock.advance(2.4)
    assert a.valid()
    a.release()


def test_an_unreachable_etcd_leaves_the_lease_valid_only_until_its_deadline(etcd):
    clock = FakeTime()
    a = Lease(Etcd([etcd.url]), "h4", "hub-a", ttl_s=3, margin_s=0.5, clock=clock)
    assert a.campaign()
    a.etcd = Etcd([f"http://127.0.0.1:{free_port()}"], timeout_s=0.2)  # cut from the witness
    clock.advance(1.0)
    assert a.renew()  # still within what the last keep-alive proved
    clock.advance(1.6)
    assert not a.renew() and not a.valid()
    with pytest.raises(EtcdError):
        a.etcd.keepalive(a.lease_id)


def test_the_copy_may_serve_only_when_the_serving_hub_said_it_is_in_sync(etcd):
    a, b = lease(etcd, "h5", "hub-a"), lease(etcd, "h5", "hub-b")
    assert b.copy_is_current()  # a new hall: nobody served yet
    assert a.campaign()
    a.say_copy("hub-b", in_sync=False)
    assert not b.copy_is_current()
    a.say_copy("hub-b", in_sync=True)
    assert b.copy_is_current()
    assert not a.copy_is_current()  # it names b, not a
    a.release()


class KeepAlives:
    """etcd as the lease sees it, answering keep-alives from a script (an exception: none)."""

    def __init__(self, *answers):
        self.answers = list(answers)

    def keepalive(self, lease_id):
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_an_unanswered_keep_alive_is_asked_again_soon_and_the_lease_holds_meanwhile(caplog):
    clock = FakeTime()
    held = Lease(KeepAlives(EtcdError("timed out"), EtcdError("timed out"), 3), "h5", "hub-a",
                 ttl_s=3, margin_s=0.8, clock=clock)
    held.lease_id, held._valid_until = "7", clock() + 2.2
    assert held.next_renewal_s() == 1.0  # a third of the TTL while etcd answers
    clock.advance(1.0)
    assert held.renew()  # unanswered, but proven until 2.2 s after the last answer
    assert held.next_renewal_s() == RETRY_S
    clock.advance(RETRY_S)
    assert held.renew()
    assert held.renew()  # answered again: proven from this keep-alive on
    assert held.next_renewal_s() == 1.0
    clock.advance(2.1)
    assert held.valid()
    said = [r.getMessage() for r in caplog.records]
    assert said == ["lease of hub-a: keep-alive unanswered (timed out); valid 1.2 s more",
                    "lease of hub-a: keep-alive answered again after 2 misses"]
