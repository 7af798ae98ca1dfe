"""SQLAlchemy 2 async models, repositories, Alembic migrations.

`bot` opens a `Database` and one `transaction()` per use case; the repository
modules (one per aggregate) take that AsyncSession, take every time as a `now`
argument (timezone-aware), and return frozen records:

    database       Database.connect(url) / upgrade() / transaction() / close()
    participants   get_or_create (row-locked), create, find (lock=True), get, change
    consultations  deploy (a new live version only if changed), live_version,
                   live_versions, get_version, overview (for `flows list`)
    sessions       create, find_open (lock=True: FOR UPDATE), latest, get, save,
                   expire_inactive, count_by_status
    transcripts    append (one statement for all lines), for_session
    answers        record (supersedes the previous answer to the question), add
                   (the same, its id not read back),
                   supersede (restart / back), current, history,
                   for_moderation, moderate, for_consultation (engine pull)
    inbound        claim (dedupe by platform message id), store_replies,
                   claim_with_replies (a message opened with nothing begun)
    message_open   open_message (participant and session locked, message id
                   claimed: what a message reads first, one round trip; with
                   nothing begun, read without locks in the common case)
    outbox         enqueue, pending, mark_delivered, mark_failed
    erasure        delete_participant_data (audited)
    erasure_receipts  record, exists (keyed hashes of erasing messages)
    pre_consent    find, keep, forget, purge_expired (before consent: no text)
    readiness      probe (one write, for /readyz)
    retention      purge (audited; in batches with `limit`)
    audit          record (who, which item, state before/after), recent
    moderation     approve, reject, tag (first decision wins; outbox event and
                   audit in the same transaction), hold, release, state, record_erased
    review_queue   page (filters, cursor), item, unscanned, mark_scanned
    console_accounts  add, get, find, by_email, all_users, change, add_link,
                   use_link, link_user, end_sessions
    console_sessions  open_session, find, touch, advance, close, close_idle,
                   record_failure, failures_since, forget_failures
    transcript_search  header, search, consultation_ids

The per-message path of the conversation service, in one transaction (on
PostgreSQL, begun only if the message needs it: `optimistic`, see
storage.message_open; a claim opened so has no id and is written with its
replies by `inbound.claim_with_replies`; and only the repositories' prepared
statements run, a statement of SQLAlchemy's own raising TransactionNeeded:
storage.pg_transaction):

    async with db.transaction(optimistic=True) as s:
        # The participant, their open session and the message id's claim: one
        # round trip on PostgreSQL, locking nothing in the common case (a
        # newcomer is created once they consent).
        opened = await message_open.open_message(s, channel, user_hash, message_id, now=now)
        claim, current = opened.claim, opened.session
        if claim is not None and not claim.is_new:
            return claim.replies                       # redelivery: same replies
        ...                                            # interpret, advance the engine
        # The session first: with nothing begun, its UPDATE guards what follows.
        await sessions.save(s, current.id, now=now, state=new_state, status=...)
        await transcripts.append(s, current.id, [line_in, *lines_out])
        await answers.add(s, current.id, question_id, value, question_text=..., ...)
        if claim.id is None:                           # opened with nothing begun
            await inbound.claim_with_replies(s, channel, user_hash, message_id, replies, now=now)
        else:
            await inbound.store_replies(s, claim.id, replies)
    # committed: hand the replies to the channel

Errors (storage.errors): DatabaseBusy (locked or conflicting, including Conflict
for a duplicate a concurrent process wrote: nothing was written, tell the
resident to try again), DatabaseFull, DatabaseReadOnly, DatabaseTimedOut (a
statement past statement_timeout or lock_timeout), DatabaseUnavailable
(with the host, never the password), SchemaOutOfDate (run `consultbot db
upgrade`), NotFound.
"""
