import asyncio

from bot.participant_locks import ParticipantLocks


async def test_messages_of_one_participant_never_interleave():
    locks = ParticipantLocks()
    events: list[str] = []

    async def message(key: str, name: str) -> None:
        async with locks.hold(key):
            events.append(f"{name} start")
            await asyncio.sleep(0.01)
            events.append(f"{name} end")

    await asyncio.gather(message("alice", "a1"), message("alice", "a2"), message("bob", "b1"))
    alice = [e for e in events if e.startswith("a")]
    assert alice == ["a1 start", "a1 end", "a2 start", "a2 end"]
    # bob was not made to wait for alice
    assert events.index("b1 start") < events.index("a1 end")
    assert len(locks) == 0
