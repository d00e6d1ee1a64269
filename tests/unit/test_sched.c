/*
 * test_sched.c - unit tests for coordinator/sched.c: priorities, dependencies, credit,
 * attempts, stale reports, heartbeats, leases, workers joining and leaving, a large job.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coordinator/sched.h"

Suite *test_sched_suite(void);

/* ck_assert_msg without Check's per-assertion bookkeeping (a write(2) each time it passes),
 * for the hot loop of the large job. */
#define FAST_ASSERT(expr, ...)                                                                     \
    do {                                                                                           \
        if (!(expr))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

#define MAX_EVENTS 64

/* One event reported by sched_tick. */
typedef struct event {
    sched_event_t event; /* what happened */
    char worker[32];     /* the worker concerned, "" for NULL */
    int task;            /* the task, or -1 */
    int attempt;         /* the attempt that was lost */
} event_t;

/* Everything sched_tick reported to s_record. */
typedef struct events {
    event_t list[MAX_EVENTS]; /* the events, in order */
    int count;                /* entries used in list */
} events_t;

/* sched_event_fn that appends to an events_t. */
static void
s_record(void *arg, sched_event_t event, const char *worker, int task, int attempt)
{
    events_t *events = arg;
    event_t *e;

    ck_assert_int_lt(events->count, MAX_EVENTS);
    e = &events->list[events->count++];
    e->event = event;
    snprintf(e->worker, sizeof(e->worker), "%s", worker != NULL ? worker : "");
    e->task = task;
    e->attempt = attempt;
}

/* Asserts event i of events. */
static void
s_assert_event(const events_t *events, int i, sched_event_t event, const char *worker, int task,
               int attempt)
{
    ck_assert_int_lt(i, events->count);
    ck_assert_int_eq(events->list[i].event, event);
    ck_assert_str_eq(events->list[i].worker, worker);
    ck_assert_int_eq(events->list[i].task, task);
    ck_assert_int_eq(events->list[i].attempt, attempt);
}

/* Dispatches one task and asserts its id, worker and attempt. */
static void
s_expect_next(sched_t *s, int64_t now, int task, const char *worker, int attempt)
{
    const char *w = NULL;
    int a = -1;
    int id = sched_next(s, now, &w, &a);

    ck_assert_int_eq(id, task);
    ck_assert_ptr_nonnull(w);
    ck_assert_str_eq(w, worker);
    ck_assert_int_eq(a, attempt);
}

/* Asserts that nothing can be dispatched now. */
static void
s_expect_none(sched_t *s, int64_t now)
{
    const char *w = NULL;
    int a = 0;

    ck_assert_int_eq(sched_next(s, now, &w, &a), -1);
}

START_TEST(test_new_destroy)
{
    sched_t *s = sched_new(3, 1000, 1000);

    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(sched_task_count(s), 0);
    ck_assert(sched_all_done(s));
    s_expect_none(s, 0);
    sched_destroy(&s);
    ck_assert_ptr_null(s);
    sched_destroy(&s);
    sched_destroy(NULL);

    ck_assert_ptr_null(sched_new(0, 1000, 1000));
    ck_assert_ptr_null(sched_new(1, 0, 1000));
    ck_assert_ptr_null(sched_new(1, 1000, 0));
}
END_TEST

START_TEST(test_priority_order)
{
    sched_t *s = sched_new(3, 1000, 1000);
    int prios[] = {1, 5, 3, 5, 0, 3};
    int order[] = {1, 3, 2, 5, 0, 4};

    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(sched_add_task(s, prios[i]), i);
    ck_assert_int_eq(sched_worker_join(s, "w", 0), 0);
    ck_assert_int_eq(sched_worker_credit(s, "w", 10, 0), 0);
    for (int i = 0; i < 6; i++)
        s_expect_next(s, 1, order[i], "w", 1);
    s_expect_none(s, 1);
    sched_destroy(&s);
}
END_TEST

START_TEST(test_priority_requeued_goes_first)
{
    sched_t *s = sched_new(3, 1000, 1000);

    sched_add_task(s, 1); /* 0 */
    sched_add_task(s, 9); /* 1 */
    sched_add_task(s, 1); /* 2 */
    sched_worker_join(s, "w", 0);
    sched_worker_credit(s, "w", 1, 0);
    s_expect_next(s, 0, 1, "w", 1);
    ck_assert_int_eq(sched_failed(s, 1, 1, true), 0);
    sched_worker_credit(s, "w", 3, 0);
    /* the high-priority task is back in front, then ties by id */
    s_expect_next(s, 0, 1, "w", 2);
    s_expect_next(s, 0, 0, "w", 1);
    s_expect_next(s, 0, 2, "w", 1);
    sched_destroy(&s);
}
END_TEST

START_TEST(test_dependency_release)
{
    sched_t *s = sched_new(3, 1000, 1000);
    int a = sched_add_task(s, 0);
    int b = sched_add_task(s, 1);
    int c = sched_add_task(s, 9);
    int d = sched_add_task(s, 5);

    /* c needs a and b; b needs a; d needs nothing */
    ck_assert_int_eq(sched_add_dependency(s, b, a), 0);
    ck_assert_int_eq(sched_add_dependency(s, c, a), 0);
    ck_assert_int_eq(sched_add_dependency(s, c, b), 0);
    ck_assert_int_eq(sched_task_state(s, a), TASK_READY);
    ck_assert_int_eq(sched_task_state(s, b), TASK_WAITING);
    ck_assert_int_eq(sched_task_state(s, c), TASK_WAITING);
    ck_assert_uint_eq(sched_count(s, TASK_WAITING), 2);
    ck_assert_uint_eq(sched_count(s, TASK_READY), 2);

    sched_worker_join(s, "w", 0);
    sched_worker_credit(s, "w", 10, 0);
    s_expect_next(s, 0, d, "w", 1); /* priority 5 beats 0 */
    s_expect_next(s, 0, a, "w", 1);
    s_expect_none(s, 0); /* b and c wait */

    ck_assert_int_eq(sched_done(s, a, 1), 0);
    ck_assert_int_eq(sched_task_state(s, b), TASK_READY);
    ck_assert_int_eq(sched_task_state(s, c), TASK_WAITING);
    s_expect_next(s, 0, b, "w", 1);
    s_expect_none(s, 0);
    ck_assert_int_eq(sched_done(s, b, 1), 0);
    ck_assert_int_eq(sched_task_state(s, c), TASK_READY);
    s_expect_next(s, 0, c, "w", 1);
    ck_assert_int_eq(sched_done(s, c, 1), 0);
    ck_assert(!sched_all_done(s));
    ck_assert_int_eq(sched_done(s, d, 1), 0);
    ck_assert(sched_all_done(s));
    sched_destroy(&s);
}
END_TEST

START_TEST(test_dependency_errors)
{
    sched_t *s = sched_new(3, 1000, 1000);
    int a = sched_add_task(s, 0);
    int b = sched_add_task(s, 0);
    int c = sched_add_task(s, 0);

    ck_assert_int_eq(sched_add_dependency(s, a, a), -1);
    ck_assert_int_eq(sched_add_dependency(s, a, 99), -1);
    ck_assert_int_eq(sched_add_dependency(s, 99, a), -1);
    ck_assert_int_eq(sched_add_dependency(s, -1, a), -1);
    ck_assert_int_eq(sched_task_state(s, a), TASK_READY);

    /* a dependency on a task already DONE does not make it wait */
    sched_mark_done(s, a);
    ck_assert_int_eq(sched_add_dependency(s, b, a), 0);
    ck_assert_int_eq(sched_task_state(s, b), TASK_READY);

    /* too late once dispatched */
    sched_worker_join(s, "w", 0);
    sched_worker_credit(s, "w", 1, 0);
    s_expect_next(s, 0, b, "w", 1);
    ck_assert_int_eq(sched_add_dependency(s, b, c), -1);
    ck_assert_int_eq(sched_task_state(s, b), TASK_RUNNING);
    sched_destroy(&s);
}
END_TEST

START_TEST(test_credit_never_exceeded)
{
    sched_t *s = sched_new(3, 1000, 1000);

    for (int i = 0; i < 3; i++)
        sched_add_task(s, 0);
    sched_worker_join(s, "w", 0);
    s_expect_none(s, 0); /* no credit yet */
    sched_worker_credit(s, "w", 1, 0);
    s_expect_next(s, 0, 0, "w", 1);
    s_expect_none(s, 0);
    /* finishing does not give credit back: the worker must ask again */
    ck_assert_int_eq(sched_done(s, 0, 1), 0);
    s_expect_none(s, 0);
    sched_worker_credit(s, "w", 1, 0);
    s_expect_next(s, 0, 1, "w", 1);
    s_expect_none(s, 0);
    /* zero or negative credit changes nothing */
    ck_assert_int_eq(sched_worker_credit(s, "w", 0, 0), 0);
    ck_assert_int_eq(sched_worker_credit(s, "w", -5, 0), 0);
    s_expect_none(s, 0);
    ck_assert_int_eq(sched_worker_credit(s, "nobody", 1, 0), -1);
    sched_destroy(&s);
}
END_TEST

/* HELLO states the credit: a repeated HELLO replaces it, never adds to it, and keeps the
 * worker's running tasks. */
START_TEST(test_set_credit)
{
    sched_t *s = sched_new(3, 1000, 1000);

    for (int i = 0; i < 3; i++)
        sched_add_task(s, 0);
    sched_worker_join(s, "w", 0);
    ck_assert_int_eq(sched_worker_set_credit(s, "w", 1, 0), 0);
    ck_assert_int_eq(sched_worker_set_credit(s, "w", 1, 0), 0); /* a second hello */
    s_expect_next(s, 0, 0, "w", 1);
    s_expect_none(s, 0); /* 1, not 2 */
    /* the busy worker says hello again with no room: its task stays with it */
    ck_assert_int_eq(sched_worker_set_credit(s, "w", 0, 10), 0);
    ck_assert_int_eq(sched_task_state(s, 0), TASK_RUNNING);
    ck_assert_str_eq(sched_task_worker(s, 0), "w");
    s_expect_none(s, 10);
    ck_assert_int_eq(sched_worker_set_credit(s, "w", -3, 10), 0);
    s_expect_none(s, 10);
    ck_assert_int_eq(sched_worker_set_credit(s, "nobody", 1, 10), -1);
    sched_destroy(&s);
}
END_TEST

START_TEST(test_worker_choice)
{
    sched_t *s = sched_new(3, 1000, 1000);

    for (int i = 0; i < 10; i++)
        sched_add_task(s, 0);
    sched_worker_join(s, "a", 0);
    sched_worker_join(s, "b", 0);
    sched_worker_credit(s, "a", 2, 0);
    sched_worker_credit(s, "b", 3, 0);
    s_expect_next(s, 1, 0, "b", 1); /* most credit: b 3, a 2 */
    s_expect_next(s, 2, 1, "a", 1); /* 2 each: a never had a task, idle longest */
    s_expect_next(s, 3, 2, "b", 1); /* b 2, a 1 */
    s_expect_next(s, 4, 3, "a", 1); /* 1 each: a's last dispatch (2) is older than b's (3) */
    s_expect_next(s, 5, 4, "b", 1); /* b 1, a 0 */
    s_expect_none(s, 6);            /* no credit left anywhere */
    ck_assert_uint_eq(sched_worker_busy(s), 2);

    /* the longest idle wins a tie even when it joined last */
    sched_worker_credit(s, "a", 1, 6);
    s_expect_next(s, 6, 5, "a", 1); /* a had the only credit */
    sched_worker_credit(s, "a", 1, 7);
    sched_worker_credit(s, "b", 1, 7);
    s_expect_next(s, 7, 6, "b", 1); /* b last dispatched at 5, a at 6 */
    s_expect_next(s, 7, 7, "a", 1);
    sched_worker_join(s, "c", 8);
    sched_worker_credit(s, "a", 1, 8);
    sched_worker_credit(s, "c", 1, 8);
    s_expect_next(s, 8, 8, "c", 1); /* c never had a task */
    s_expect_next(s, 8, 9, "a", 1);
    sched_destroy(&s);
}
END_TEST

START_TEST(test_attempts_and_max)
{
    sched_t *s = sched_new(3, 100000, 100000);
    int t = sched_add_task(s, 0);

    sched_worker_join(s, "w", 0);
    ck_assert_int_eq(sched_task_attempt(s, t), 0);
    for (int attempt = 1; attempt <= 3; attempt++) {
        sched_worker_credit(s, "w", 1, 0);
        s_expect_next(s, 0, t, "w", attempt);
        ck_assert_int_eq(sched_task_attempt(s, t), attempt);
        ck_assert_int_eq(sched_failed(s, t, attempt, true), 0);
        /* the attempt number is kept until the next dispatch */
        ck_assert_int_eq(sched_task_attempt(s, t), attempt);
        if (attempt < 3)
            ck_assert_int_eq(sched_task_state(s, t), TASK_READY);
    }
    /* three attempts had: FAILED, final */
    ck_assert_int_eq(sched_task_state(s, t), TASK_FAILED);
    ck_assert_uint_eq(sched_count(s, TASK_FAILED), 1);
    sched_worker_credit(s, "w", 1, 0);
    s_expect_none(s, 0);
    ck_assert_int_eq(sched_failed(s, t, 3, true), -1);
    ck_assert_int_eq(sched_done(s, t, 3), -1);
    ck_assert(!sched_all_done(s));
    sched_destroy(&s);
}
END_TEST

START_TEST(test_failed_no_retry)
{
    sched_t *s = sched_new(5, 100000, 100000);
    int t = sched_add_task(s, 0);

    sched_worker_join(s, "w", 0);
    sched_worker_credit(s, "w", 5, 0);
    s_expect_next(s, 0, t, "w", 1);
    ck_assert_int_eq(sched_failed(s, t, 2, false), -1); /* stale: wrong attempt */
    ck_assert_int_eq(sched_task_state(s, t), TASK_RUNNING);
    ck_assert_int_eq(sched_failed(s, t, 1, false), 0);
    ck_assert_int_eq(sched_task_state(s, t), TASK_FAILED);
    ck_assert_ptr_null(sched_task_worker(s, t));
    ck_assert_uint_eq(sched_worker_busy(s), 0);
    s_expect_none(s, 0);
    sched_destroy(&s);
}
END_TEST

START_TEST(test_stale_done_after_requeue)
{
    /* worker A is SIGSTOPped with attempt 1; its lease expires, B runs attempt 2; A is
     * SIGCONTed and reports DONE for attempt 1: ignored, the task stays with B */
    sched_t *s = sched_new(3, 100000, 1000);
    events_t ev = {0};
    int t = sched_add_task(s, 0);

    sched_worker_join(s, "A", 0);
    sched_worker_credit(s, "A", 1, 0);
    s_expect_next(s, 0, t, "A", 1);
    sched_worker_join(s, "B", 500);
    sched_worker_credit(s, "B", 1, 500);

    ck_assert_int_eq(sched_tick(s, 999, s_record, &ev), 0);
    ck_assert_int_eq(sched_tick(s, 1000, s_record, &ev), 1);
    s_assert_event(&ev, 0, SCHED_LEASE_EXPIRED, "A", t, 1);
    ck_assert_int_eq(sched_task_state(s, t), TASK_READY);

    s_expect_next(s, 1001, t, "B", 2);
    ck_assert_int_eq(sched_done(s, t, 1), -1);
    ck_assert_int_eq(sched_progress(s, t, 1, 1002), -1);
    ck_assert_int_eq(sched_failed(s, t, 1, true), -1);
    ck_assert_int_eq(sched_task_state(s, t), TASK_RUNNING);
    ck_assert_str_eq(sched_task_worker(s, t), "B");
    ck_assert_int_eq(sched_task_attempt(s, t), 2);

    ck_assert_int_eq(sched_done(s, t, 2), 0);
    ck_assert_int_eq(sched_task_state(s, t), TASK_DONE);
    ck_assert_int_eq(sched_done(s, t, 2), -1); /* a repeated DONE is stale too */
    ck_assert_int_eq(sched_done(s, 42, 1), -1);
    ck_assert(sched_all_done(s));
    sched_destroy(&s);
}
END_TEST

START_TEST(test_heartbeat_timeout)
{
    sched_t *s = sched_new(3, 3000, 100000);
    events_t ev = {0};

    sched_add_task(s, 2); /* 0 */
    sched_add_task(s, 1); /* 1 */
    sched_add_task(s, 0); /* 2 */
    sched_worker_join(s, "A", 0);
    sched_worker_join(s, "B", 0);
    sched_worker_credit(s, "A", 2, 0);
    s_expect_next(s, 0, 0, "A", 1);
    s_expect_next(s, 0, 1, "A", 1);

    /* B keeps talking, A goes silent at 0 */
    ck_assert_int_eq(sched_worker_seen(s, "B", 2000), 0);
    ck_assert_int_eq(sched_tick(s, 2999, s_record, &ev), 0);
    ck_assert_int_eq(sched_worker_seen(s, "B", 2999), 0);
    ck_assert_int_eq(sched_tick(s, 3000, s_record, &ev), 3);
    s_assert_event(&ev, 0, SCHED_WORKER_DEAD, "A", -1, 0);
    /* both tasks requeued, in some order */
    ck_assert_int_eq(ev.list[1].event, SCHED_REQUEUED);
    ck_assert_int_eq(ev.list[2].event, SCHED_REQUEUED);
    ck_assert_str_eq(ev.list[1].worker, "A");
    ck_assert_int_eq(ev.list[1].attempt, 1);
    ck_assert_int_eq(ev.list[1].task + ev.list[2].task, 1);

    ck_assert(!sched_worker_known(s, "A"));
    ck_assert(sched_worker_known(s, "B"));
    ck_assert_uint_eq(sched_worker_count(s), 1);
    ck_assert_int_eq(sched_worker_seen(s, "A", 3001), -1);
    ck_assert_uint_eq(sched_count(s, TASK_READY), 3);
    ck_assert_uint_eq(sched_count(s, TASK_RUNNING), 0);

    sched_worker_credit(s, "B", 3, 3001);
    s_expect_next(s, 3001, 0, "B", 2);
    s_expect_next(s, 3001, 1, "B", 2);
    s_expect_next(s, 3001, 2, "B", 1);
    ck_assert_int_eq(sched_tick(s, 3002, NULL, NULL), 0);
    sched_destroy(&s);
}
END_TEST

START_TEST(test_heartbeat_last_attempt_fails)
{
    sched_t *s = sched_new(1, 1000, 100000);
    events_t ev = {0};
    int t = sched_add_task(s, 0);

    sched_worker_join(s, "A", 0);
    sched_worker_credit(s, "A", 1, 0);
    s_expect_next(s, 0, t, "A", 1);
    ck_assert_int_eq(sched_tick(s, 1000, s_record, &ev), 2);
    s_assert_event(&ev, 0, SCHED_WORKER_DEAD, "A", -1, 0);
    s_assert_event(&ev, 1, SCHED_TASK_FAILED, "A", t, 1);
    ck_assert_int_eq(sched_task_state(s, t), TASK_FAILED);
    ck_assert_uint_eq(sched_worker_count(s), 0);
    sched_destroy(&s);
}
END_TEST

START_TEST(test_next_skips_silent_worker)
{
    sched_t *s = sched_new(3, 1000, 100000);

    sched_add_task(s, 0);
    sched_worker_join(s, "old", 0);
    sched_worker_credit(s, "old", 5, 0);
    sched_worker_join(s, "new", 900);
    sched_worker_credit(s, "new", 1, 900);
    /* "old" has more credit but is past its heartbeat timeout: not chosen */
    s_expect_next(s, 1000, 0, "new", 1);
    sched_destroy(&s);
}
END_TEST

START_TEST(test_lease_and_progress)
{
    sched_t *s = sched_new(3, 100000, 1000);
    events_t ev = {0};
    int t = sched_add_task(s, 0);

    sched_worker_join(s, "w", 0);
    sched_worker_credit(s, "w", 1, 0);
    s_expect_next(s, 0, t, "w", 1);
    ck_assert_int_eq(sched_progress(s, t, 1, 800), 0); /* lease now ends at 1800 */
    ck_assert_int_eq(sched_tick(s, 1500, s_record, &ev), 0);
    ck_assert_int_eq(sched_progress(s, t, 1, 1700), 0); /* 2700 */
    ck_assert_int_eq(sched_tick(s, 2699, s_record, &ev), 0);
    ck_assert_int_eq(sched_task_state(s, t), TASK_RUNNING);
    ck_assert_int_eq(sched_progress(s, t, 2, 2000), -1); /* wrong attempt */
    ck_assert_int_eq(sched_tick(s, 2700, s_record, &ev), 1);
    s_assert_event(&ev, 0, SCHED_LEASE_EXPIRED, "w", t, 1);
    ck_assert_int_eq(sched_task_state(s, t), TASK_READY);
    ck_assert_ptr_null(sched_task_worker(s, t));
    ck_assert_uint_eq(sched_worker_busy(s), 0);
    ck_assert_int_eq(sched_progress(s, t, 1, 2701), -1); /* not RUNNING */
    /* the worker itself is still alive: only the task was taken back */
    ck_assert(sched_worker_known(s, "w"));
    sched_destroy(&s);
}
END_TEST

START_TEST(test_lease_last_attempt_fails)
{
    sched_t *s = sched_new(2, 100000, 1000);
    events_t ev = {0};
    int t = sched_add_task(s, 0);

    sched_worker_join(s, "w", 0);
    sched_worker_credit(s, "w", 2, 0);
    s_expect_next(s, 0, t, "w", 1);
    ck_assert_int_eq(sched_tick(s, 1000, s_record, &ev), 1);
    s_expect_next(s, 1000, t, "w", 2);
    ck_assert_int_eq(sched_tick(s, 2000, s_record, &ev), 2);
    s_assert_event(&ev, 1, SCHED_LEASE_EXPIRED, "w", t, 2);
    s_assert_event(&ev, 2, SCHED_TASK_FAILED, "w", t, 2);
    ck_assert_int_eq(sched_task_state(s, t), TASK_FAILED);
    sched_destroy(&s);
}
END_TEST

START_TEST(test_mark_done)
{
    sched_t *s = sched_new(3, 1000, 1000);
    int a = sched_add_task(s, 9);
    int b = sched_add_task(s, 0);
    int c = sched_add_task(s, 0);
    int d = sched_add_task(s, 0);

    sched_add_dependency(s, c, a);
    sched_add_dependency(s, c, b);
    sched_add_dependency(s, d, c);

    /* resume: a already committed */
    sched_mark_done(s, a);
    sched_mark_done(s, a); /* twice: c must not be released by a alone */
    ck_assert_int_eq(sched_task_state(s, a), TASK_DONE);
    ck_assert_int_eq(sched_task_state(s, c), TASK_WAITING);

    /* a DONE task is out of the queue */
    sched_worker_join(s, "w", 0);
    sched_worker_credit(s, "w", 10, 0);
    s_expect_next(s, 0, b, "w", 1);
    s_expect_none(s, 0);

    /* marking a WAITING task DONE releases its dependents too */
    sched_mark_done(s, c);
    ck_assert_int_eq(sched_task_state(s, d), TASK_READY);
    s_expect_next(s, 0, d, "w", 1);
    ck_assert_int_eq(sched_done(s, d, 1), 0);
    ck_assert_int_eq(sched_done(s, b, 1), 0);
    ck_assert(sched_all_done(s));
    sched_mark_done(s, 1000); /* unknown: ignored */
    sched_destroy(&s);
}
END_TEST

START_TEST(test_worker_rejoin_and_leave)
{
    sched_t *s = sched_new(3, 1000, 100000);
    const char *held;

    sched_add_task(s, 1); /* 0 */
    sched_add_task(s, 0); /* 1 */
    ck_assert(!sched_worker_known(s, "w"));
    ck_assert_int_eq(sched_worker_join(s, "w", 0), 0);
    sched_worker_credit(s, "w", 2, 0);
    /* a rejoin only counts as seen: credit kept, still one worker */
    ck_assert_int_eq(sched_worker_join(s, "w", 900), 0);
    ck_assert_uint_eq(sched_worker_count(s), 1);
    ck_assert_int_eq(sched_tick(s, 1800, NULL, NULL), 0); /* seen at 900: alive */
    s_expect_next(s, 1800, 0, "w", 1);
    held = sched_task_worker(s, 0);
    ck_assert_str_eq(held, "w");
    ck_assert_uint_eq(sched_worker_busy(s), 1);

    /* many joins move the worker array: ids handed out stay valid */
    for (int i = 0; i < 100; i++) {
        char id[16];

        snprintf(id, sizeof(id), "x%d", i);
        sched_worker_join(s, id, 1800);
    }
    ck_assert_str_eq(held, "w");
    ck_assert_uint_eq(sched_worker_count(s), 101);

    /* leaving requeues its task */
    sched_worker_leave(s, "w");
    ck_assert(!sched_worker_known(s, "w"));
    ck_assert_int_eq(sched_task_state(s, 0), TASK_READY);
    ck_assert_uint_eq(sched_worker_busy(s), 0);
    ck_assert_uint_eq(sched_worker_count(s), 100);
    sched_worker_leave(s, "w"); /* unknown: ignored */
    ck_assert_int_eq(sched_worker_seen(s, "w", 1900), -1);

    /* joining again starts fresh: no credit */
    sched_worker_join(s, "w", 1900);
    for (int i = 0; i < 100; i++) {
        char id[16];

        snprintf(id, sizeof(id), "x%d", i);
        sched_worker_leave(s, id);
    }
    ck_assert_uint_eq(sched_worker_count(s), 1);
    s_expect_none(s, 1900);
    sched_worker_credit(s, "w", 1, 1900);
    s_expect_next(s, 1900, 0, "w", 2);
    sched_destroy(&s);
}
END_TEST

START_TEST(test_counts)
{
    sched_t *s = sched_new(3, 1000, 1000);

    for (int i = 0; i < 4; i++)
        sched_add_task(s, 0);
    sched_add_dependency(s, 3, 0);
    ck_assert_uint_eq(sched_task_count(s), 4);
    ck_assert_uint_eq(sched_count(s, TASK_READY), 3);
    ck_assert_uint_eq(sched_count(s, TASK_WAITING), 1);
    sched_worker_join(s, "a", 0);
    sched_worker_join(s, "b", 0);
    ck_assert_uint_eq(sched_worker_count(s), 2);
    ck_assert_uint_eq(sched_worker_busy(s), 0);
    sched_worker_credit(s, "a", 2, 0);
    s_expect_next(s, 0, 0, "a", 1);
    s_expect_next(s, 0, 1, "a", 1);
    ck_assert_uint_eq(sched_worker_busy(s), 1);
    ck_assert_uint_eq(sched_count(s, TASK_RUNNING), 2);
    sched_worker_credit(s, "b", 1, 0);
    s_expect_next(s, 0, 2, "b", 1);
    ck_assert_uint_eq(sched_worker_busy(s), 2);
    ck_assert_uint_eq(sched_count(s, TASK_READY), 0);
    sched_done(s, 0, 1);
    sched_failed(s, 2, 1, false);
    ck_assert_uint_eq(sched_count(s, TASK_DONE), 1);
    ck_assert_uint_eq(sched_count(s, TASK_FAILED), 1);
    ck_assert_uint_eq(sched_count(s, TASK_RUNNING), 1);
    ck_assert_uint_eq(sched_count(s, TASK_READY), 1); /* 3, released by 0 */
    ck_assert_uint_eq(sched_count(s, TASK_WAITING), 0);
    ck_assert_uint_eq(sched_worker_busy(s), 1);
    ck_assert(!sched_all_done(s));

    /* unknown ids read as nothing */
    ck_assert_int_eq(sched_task_attempt(s, 99), 0);
    ck_assert_ptr_null(sched_task_worker(s, 99));
    ck_assert_ptr_null(sched_task_worker(s, -1));
    sched_destroy(&s);
}
END_TEST

START_TEST(test_large_job)
{
    enum { NTASKS = 50000, NWORKERS = 8, CREDIT = 4 };
    sched_t *s = sched_new(3, 1000000, 1000000);
    int *dispatches = calloc(NTASKS + 1, sizeof(int));
    int batch[NWORKERS * CREDIT];
    int batch_attempt[NWORKERS * CREDIT];
    char batch_worker[NWORKERS * CREDIT][16];
    size_t total = 0;
    int finalize;
    int64_t now = 0;

    /* chunks of tables of varying sizes: the priority is the table's, largest first */
    for (int i = 0; i < NTASKS; i++)
        FAST_ASSERT(sched_add_task(s, (i * 7919) % 97) == i, "task %d", i);
    /* one final step that waits for every chunk */
    finalize = sched_add_task(s, -1);
    for (int i = 0; i < NTASKS; i++)
        FAST_ASSERT(sched_add_dependency(s, finalize, i) == 0, "dependency on %d", i);
    for (int w = 0; w < NWORKERS; w++) {
        char id[16];

        snprintf(id, sizeof(id), "w%d", w);
        sched_worker_join(s, id, 0);
        sched_worker_credit(s, id, CREDIT, 0);
    }

    while (!sched_all_done(s)) {
        int per_worker[NWORKERS] = {0};
        int n = 0;
        int last_prio = 1 << 30;
        const char *w;
        int attempt;
        int id;

        /* fill every worker's credit, never more */
        while ((id = sched_next(s, now, &w, &attempt)) >= 0) {
            FAST_ASSERT(n < NWORKERS * CREDIT, "more tasks out than credit given");
            FAST_ASSERT(attempt == ++dispatches[id], "task %d attempt %d", id, attempt);
            FAST_ASSERT(++per_worker[w[1] - '0'] <= CREDIT, "worker %s over its credit", w);
            if (id != finalize) {
                /* READY tasks come out in priority order */
                int prio = (id * 7919) % 97;

                FAST_ASSERT(prio <= last_prio, "task %d (priority %d) after %d", id, prio,
                            last_prio);
                last_prio = prio;
            }
            batch[n] = id;
            batch_attempt[n] = attempt;
            snprintf(batch_worker[n], sizeof(batch_worker[n]), "%s", w);
            n++;
        }
        FAST_ASSERT(n > 0, "nothing dispatched, %zu tasks ready", sched_count(s, TASK_READY));
        FAST_ASSERT(sched_count(s, TASK_RUNNING) == (size_t) n, "running count");
        total += (size_t) n;
        /* every tenth chunk fails once and is retried */
        for (int k = 0; k < n; k++) {
            int rc;

            id = batch[k];
            if (id % 10 == 0 && id != finalize && batch_attempt[k] == 1)
                rc = sched_failed(s, id, batch_attempt[k], true);
            else
                rc = sched_done(s, id, batch_attempt[k]);
            FAST_ASSERT(rc == 0, "report of task %d", id);
            FAST_ASSERT(sched_worker_credit(s, batch_worker[k], 1, now) == 0, "credit");
        }
        now++;
    }
    ck_assert_uint_eq(total, NTASKS + NTASKS / 10 + 1);
    ck_assert_uint_eq(sched_count(s, TASK_DONE), NTASKS + 1);
    ck_assert_int_eq(sched_task_attempt(s, 10), 2);
    ck_assert_int_eq(sched_task_attempt(s, 11), 1);
    ck_assert_int_eq(sched_task_attempt(s, finalize), 1);
    free(dispatches);
    sched_destroy(&s);
}
END_TEST

Suite *
test_sched_suite(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("sched");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_new_destroy);
    tcase_add_test(tc, test_priority_order);
    tcase_add_test(tc, test_priority_requeued_goes_first);
    tcase_add_test(tc, test_dependency_release);
    tcase_add_test(tc, test_dependency_errors);
    tcase_add_test(tc, test_credit_never_exceeded);
    tcase_add_test(tc, test_set_credit);
    tcase_add_test(tc, test_worker_choice);
    tcase_add_test(tc, test_attempts_and_max);
    tcase_add_test(tc, test_failed_no_retry);
    tcase_add_test(tc, test_stale_done_after_requeue);
    tcase_add_test(tc, test_heartbeat_timeout);
    tcase_add_test(tc, test_heartbeat_last_attempt_fails);
    tcase_add_test(tc, test_next_skips_silent_worker);
    tcase_add_test(tc, test_lease_and_progress);
    tcase_add_test(tc, test_lease_last_attempt_fails);
    tcase_add_test(tc, test_mark_done);
    tcase_add_test(tc, test_worker_rejoin_and_leave);
    tcase_add_test(tc, test_counts);
    tcase_add_test(tc, test_large_job);
    suite_add_tcase(s, tc);
    return s;
}
