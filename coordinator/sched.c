/*
 * sched.c - the scheduler's state machine (see sched.h for the states and the rules).
 *
 * How it works. Tasks live in one array indexed by id. A task knows how many of its
 * dependencies are not DONE yet (unmet) and which tasks depend on it (dependents); when a
 * task becomes DONE, each dependent's unmet count drops, and a WAITING task whose count
 * reaches zero becomes READY. READY tasks sit in a binary heap ordered by priority (highest
 * first), then id (lowest first, i.e. the order of addition); each task remembers its slot in
 * the heap so it can also be taken out from the middle (a dependency added late, a task
 * marked DONE on resume). sched_next is O(log tasks + workers), so a job of 50,000 chunks is
 * planned and dispatched in O(n log n), never O(n^2). Dependencies are not checked for
 * cycles: tasks in a cycle stay WAITING (the planner only builds DAGs). A dependency added
 * to a task that was already dispatched or is final is refused (-1), as the contract asks
 * for dependencies before any dispatch.
 *
 * Workers live in an array of slots; a task RUNNING on a worker stores the slot index, and
 * each worker keeps the list of tasks it runs (each task remembers its place in that list),
 * so finishing a task, requeueing a dead worker's tasks and scanning leases only touch the
 * tasks in flight. A worker's id is copied when it joins, so the pointer sched_next hands
 * out stays valid until the worker leaves; a freed slot is reused by the next join.
 *
 * Who talks to whom. The coordinator's reactor owns the scheduler: it feeds in worker
 * messages (join, credit, seen, progress, done, failed, leave) and the time, and calls
 * sched_next while it returns tasks and sched_tick periodically. Nothing here reads a clock,
 * a socket or a database.
 *
 * When a peer dies. sched_tick first removes workers silent for heartbeat_timeout_ms
 * (now - last_seen >= timeout): SCHED_WORKER_DEAD for the worker, then for each task it was
 * running SCHED_REQUEUED, or SCHED_TASK_FAILED when that attempt was the last one. Then it
 * expires leases (now >= deadline): SCHED_LEASE_EXPIRED for each such task, followed by
 * SCHED_TASK_FAILED when the task is out of attempts. A requeued task keeps its attempt
 * number; the next dispatch increments it, so a late report from the lost attempt no longer
 * matches and is ignored (the SIGSTOP/SIGCONT case). The callback may query the scheduler
 * but must not change it. sched_next also skips a worker already past its heartbeat timeout,
 * so no task goes to a worker the next tick will declare dead.
 */
#include "coordinator/sched.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct task {
    task_state_t state;    /* where the task is in the state machine */
    int priority;          /* higher is dispatched first */
    int attempt;           /* last attempt handed out, 0 before the first dispatch */
    int base;              /* attempts made before this scheduler (a resumed job) */
    int worker;            /* slot of the worker running it when RUNNING, else -1 */
    size_t run_pos;        /* index in that worker's running list when RUNNING */
    size_t heap_pos;       /* index in the READY heap when READY, else SIZE_MAX */
    int64_t deadline;      /* lease deadline (ms) when RUNNING */
    size_t unmet;          /* dependencies not DONE yet; WAITING while > 0 */
    int *dependents;       /* tasks that depend on this one (owned) */
    size_t ndependents;    /* entries used in dependents */
    size_t cap_dependents; /* entries allocated in dependents */
} task_t;

typedef struct worker {
    bool in_use;           /* false for a free slot */
    char *id;              /* the worker's id (owned copy) */
    int credit;            /* tasks it still asked for */
    int64_t last_seen;     /* time (ms) of its last message */
    int64_t last_dispatch; /* time (ms) of its last dispatch, INT64_MIN if never */
    int *running;          /* ids of the tasks it runs now (owned) */
    size_t nrunning;       /* entries used in running */
    size_t cap_running;    /* entries allocated in running */
} worker_t;

struct sched {
    int max_attempts;               /* attempts a task may have before it is FAILED */
    int64_t heartbeat_timeout_ms;   /* silence after which a worker is dead */
    int64_t lease_ms;               /* time a RUNNING task has to show progress */
    task_t *tasks;                  /* all tasks, indexed by id */
    size_t ntasks;                  /* tasks added */
    size_t cap_tasks;               /* entries allocated in tasks */
    size_t counts[TASK_FAILED + 1]; /* number of tasks in each state */
    int *heap;                      /* READY task ids, a binary heap (best at 0) */
    size_t nheap;                   /* entries used in heap */
    size_t cap_heap;                /* entries allocated in heap */
    worker_t *workers;              /* worker slots */
    size_t nworkers;                /* slots initialised (in use or free) */
    size_t cap_workers;             /* slots allocated */
    size_t live_workers;            /* slots in use */
};

/* Returns array (of elem bytes each, *cap allocated) grown to hold at least need entries,
 * doubling; NULL when out of memory (array is then unchanged). */
static void *
s_grow(void *array, size_t *cap, size_t need, size_t elem)
{
    size_t new_cap;
    void *grown;

    if (need <= *cap)
        return array;
    new_cap = *cap < 8 ? 8 : *cap;
    while (new_cap < need)
        new_cap *= 2;
    grown = realloc(array, new_cap * elem);
    if (grown != NULL)
        *cap = new_cap;
    return grown;
}

/* --- the READY heap ------------------------------------------------------------------- */

/* True when task a should be dispatched before task b. */
static bool
s_before(const sched_t *self, int a, int b)
{
    int pa = self->tasks[a].priority;
    int pb = self->tasks[b].priority;

    return pa != pb ? pa > pb : a < b;
}

/* Puts task id at heap index pos and records the index in the task. */
static void
s_heap_set(sched_t *self, size_t pos, int id)
{
    self->heap[pos] = id;
    self->tasks[id].heap_pos = pos;
}

/* Moves the entry at pos up until its parent comes before it. */
static void
s_heap_up(sched_t *self, size_t pos)
{
    int id = self->heap[pos];

    while (pos > 0) {
        size_t parent = (pos - 1) / 2;

        if (!s_before(self, id, self->heap[parent]))
            break;
        s_heap_set(self, pos, self->heap[parent]);
        pos = parent;
    }
    s_heap_set(self, pos, id);
}

/* Moves the entry at pos down until it comes before both children. */
static void
s_heap_down(sched_t *self, size_t pos)
{
    int id = self->heap[pos];

    for (;;) {
        size_t best = 2 * pos + 1;

        if (best >= self->nheap)
            break;
        if (best + 1 < self->nheap && s_before(self, self->heap[best + 1], self->heap[best]))
            best++;
        if (!s_before(self, self->heap[best], id))
            break;
        s_heap_set(self, pos, self->heap[best]);
        pos = best;
    }
    s_heap_set(self, pos, id);
}

/* Adds a task to the heap; sched_add_task keeps room for every task, so this cannot fail. */
static void
s_heap_push(sched_t *self, int id)
{
    self->heap[self->nheap] = id;
    self->tasks[id].heap_pos = self->nheap;
    self->nheap++;
    s_heap_up(self, self->nheap - 1);
}

/* Takes a task out of the heap, wherever it is. */
static void
s_heap_remove(sched_t *self, int id)
{
    size_t pos = self->tasks[id].heap_pos;
    int last;

    if (pos == SIZE_MAX)
        return;
    self->tasks[id].heap_pos = SIZE_MAX;
    self->nheap--;
    if (pos == self->nheap)
        return;
    last = self->heap[self->nheap];
    s_heap_set(self, pos, last);
    s_heap_up(self, pos);
    s_heap_down(self, self->tasks[last].heap_pos);
}

/* --- task state ----------------------------------------------------------------------- */

/* True when id names a task. */
static bool
s_task_valid(const sched_t *self, int task)
{
    return task >= 0 && (size_t) task < self->ntasks;
}

/* Moves a task to a new state, keeping the counts and the READY heap right. */
static void
s_set_state(sched_t *self, int id, task_state_t state)
{
    task_t *t = &self->tasks[id];

    if (t->state == state)
        return;
    if (t->state == TASK_READY)
        s_heap_remove(self, id);
    self->counts[t->state]--;
    self->counts[state]++;
    t->state = state;
    if (state == TASK_READY)
        s_heap_push(self, id);
}

/* Takes a RUNNING task off its worker's running list. */
static void
s_unassign(sched_t *self, int id)
{
    task_t *t = &self->tasks[id];
    worker_t *w;
    int moved;

    if (t->worker < 0)
        return;
    w = &self->workers[t->worker];
    w->nrunning--;
    if (t->run_pos != w->nrunning) {
        moved = w->running[w->nrunning];
        w->running[t->run_pos] = moved;
        self->tasks[moved].run_pos = t->run_pos;
    }
    t->worker = -1;
}

/* Makes a task DONE (from any state but DONE) and releases its dependents. */
static void
s_finish(sched_t *self, int id)
{
    task_t *t = &self->tasks[id];

    if (t->state == TASK_DONE)
        return;
    s_unassign(self, id);
    s_set_state(self, id, TASK_DONE);
    for (size_t i = 0; i < t->ndependents; i++) {
        int dep = t->dependents[i];
        task_t *d = &self->tasks[dep];

        if (d->unmet > 0)
            d->unmet--;
        if (d->unmet == 0 && d->state == TASK_WAITING)
            s_set_state(self, dep, TASK_READY);
    }
}

/* A RUNNING task lost its attempt (worker dead or gone, lease expired, failure with retry):
 * back to READY, or FAILED when it already had max_attempts attempts. Returns the state. */
static task_state_t
s_requeue(sched_t *self, int id)
{
    task_t *t = &self->tasks[id];

    s_unassign(self, id);
    if (t->attempt - t->base >= self->max_attempts)
        s_set_state(self, id, TASK_FAILED);
    else
        s_set_state(self, id, TASK_READY);
    return t->state;
}

/* The RUNNING task for a report of attempt, or NULL when the report is stale. */
static task_t *
s_current(sched_t *self, int task, int attempt)
{
    task_t *t;

    if (!s_task_valid(self, task))
        return NULL;
    t = &self->tasks[task];
    if (t->state != TASK_RUNNING || t->attempt != attempt)
        return NULL;
    return t;
}

/* --- workers -------------------------------------------------------------------------- */

/* The slot of a known worker, or -1. */
static int
s_worker_find(const sched_t *self, const char *worker)
{
    if (worker == NULL)
        return -1;
    for (size_t i = 0; i < self->nworkers; i++) {
        const worker_t *w = &self->workers[i];

        if (w->in_use && strcmp(w->id, worker) == 0)
            return (int) i;
    }
    return -1;
}

/* True when the worker has been silent for the heartbeat timeout at time now. */
static bool
s_worker_expired(const sched_t *self, const worker_t *w, int64_t now)
{
    return now - w->last_seen >= self->heartbeat_timeout_ms;
}

/* Frees a worker slot (its tasks must have been requeued). */
static void
s_worker_free(sched_t *self, int slot)
{
    worker_t *w = &self->workers[slot];

    free(w->id);
    free(w->running);
    memset(w, 0, sizeof(*w));
    self->live_workers--;
}

/* Requeues every task of a worker; reports each to cb when cb is given. Returns the number
 * of events reported. */
static int
s_worker_requeue_all(sched_t *self, int slot, sched_event_fn *cb, void *arg)
{
    worker_t *w = &self->workers[slot];
    int events = 0;

    while (w->nrunning > 0) {
        int id = w->running[w->nrunning - 1];
        int attempt = self->tasks[id].attempt;
        task_state_t state = s_requeue(self, id);

        if (cb != NULL)
            cb(arg, state == TASK_FAILED ? SCHED_TASK_FAILED : SCHED_REQUEUED, w->id, id, attempt);
        events++;
    }
    return events;
}

/* --- the API -------------------------------------------------------------------------- */

sched_t *
sched_new(int max_attempts, int64_t heartbeat_timeout_ms, int64_t lease_ms)
{
    sched_t *self;

    if (max_attempts < 1 || heartbeat_timeout_ms <= 0 || lease_ms <= 0)
        return NULL;
    self = calloc(1, sizeof(*self));
    if (self == NULL)
        return NULL;
    self->max_attempts = max_attempts;
    self->heartbeat_timeout_ms = heartbeat_timeout_ms;
    self->lease_ms = lease_ms;
    return self;
}

void
sched_destroy(sched_t **self_p)
{
    sched_t *self;

    if (self_p == NULL || *self_p == NULL)
        return;
    self = *self_p;
    for (size_t i = 0; i < self->ntasks; i++)
        free(self->tasks[i].dependents);
    for (size_t i = 0; i < self->nworkers; i++) {
        free(self->workers[i].id);
        free(self->workers[i].running);
    }
    free(self->tasks);
    free(self->heap);
    free(self->workers);
    free(self);
    *self_p = NULL;
}

int
sched_add_task(sched_t *self, int priority)
{
    task_t *tasks;
    int *heap;
    task_t *t;
    int id;

    /* the heap always has room for every task, so no later transition can run out */
    if (self->ntasks >= INT_MAX)
        return -1;
    tasks = s_grow(self->tasks, &self->cap_tasks, self->ntasks + 1, sizeof(*tasks));
    if (tasks == NULL)
        return -1;
    self->tasks = tasks;
    heap = s_grow(self->heap, &self->cap_heap, self->ntasks + 1, sizeof(*heap));
    if (heap == NULL)
        return -1;
    self->heap = heap;
    id = (int) self->ntasks;
    t = &self->tasks[id];
    memset(t, 0, sizeof(*t));
    t->state = TASK_WAITING; /* counted here, then made READY */
    t->priority = priority;
    t->worker = -1;
    t->heap_pos = SIZE_MAX;
    self->ntasks++;
    self->counts[TASK_WAITING]++;
    s_set_state(self, id, TASK_READY);
    return id;
}

int
sched_add_dependency(sched_t *self, int task, int depends_on)
{
    task_t *t;
    task_t *d;
    int *dependents;

    if (!s_task_valid(self, task) || !s_task_valid(self, depends_on) || task == depends_on)
        return -1;
    t = &self->tasks[task];
    d = &self->tasks[depends_on];
    /* too late once the task was dispatched or is final */
    if (t->state != TASK_WAITING && t->state != TASK_READY)
        return -1;
    if (d->state == TASK_DONE)
        return 0;
    dependents = s_grow(d->dependents, &d->cap_dependents, d->ndependents + 1, sizeof(int));
    if (dependents == NULL)
        return -1;
    d->dependents = dependents;
    d->dependents[d->ndependents++] = task;
    t->unmet++;
    s_set_state(self, task, TASK_WAITING);
    return 0;
}

void
sched_mark_done(sched_t *self, int task)
{
    if (s_task_valid(self, task))
        s_finish(self, task);
}

void
sched_set_attempt(sched_t *self, int task, int attempt)
{
    if (s_task_valid(self, task) && attempt > self->tasks[task].attempt) {
        self->tasks[task].attempt = attempt;
        self->tasks[task].base = attempt;
    }
}

int
sched_worker_join(sched_t *self, const char *worker, int64_t now)
{
    int slot = s_worker_find(self, worker);
    worker_t *w;

    if (worker == NULL)
        return -1;
    if (slot >= 0) {
        self->workers[slot].last_seen = now;
        return 0;
    }
    for (size_t i = 0; i < self->nworkers; i++) {
        if (!self->workers[i].in_use) {
            slot = (int) i;
            break;
        }
    }
    if (slot < 0) {
        worker_t *workers;

        if (self->nworkers >= INT_MAX)
            return -1;
        workers = s_grow(self->workers, &self->cap_workers, self->nworkers + 1, sizeof(*workers));
        if (workers == NULL)
            return -1;
        self->workers = workers;
        slot = (int) self->nworkers;
        memset(&self->workers[slot], 0, sizeof(worker_t));
        self->nworkers++;
    }
    w = &self->workers[slot];
    w->id = strdup(worker);
    if (w->id == NULL)
        return -1;
    w->in_use = true;
    w->last_seen = now;
    w->last_dispatch = INT64_MIN;
    self->live_workers++;
    return 0;
}

int
sched_worker_credit(sched_t *self, const char *worker, int credit, int64_t now)
{
    int slot = s_worker_find(self, worker);
    worker_t *w;

    if (slot < 0)
        return -1;
    w = &self->workers[slot];
    w->last_seen = now;
    if (credit > 0)
        w->credit = credit > INT_MAX - w->credit ? INT_MAX : w->credit + credit;
    return 0;
}

int
sched_worker_set_credit(sched_t *self, const char *worker, int credit, int64_t now)
{
    int slot = s_worker_find(self, worker);

    if (slot < 0)
        return -1;
    self->workers[slot].last_seen = now;
    self->workers[slot].credit = credit > 0 ? credit : 0;
    return 0;
}

int
sched_worker_seen(sched_t *self, const char *worker, int64_t now)
{
    int slot = s_worker_find(self, worker);

    if (slot < 0)
        return -1;
    self->workers[slot].last_seen = now;
    return 0;
}

void
sched_worker_leave(sched_t *self, const char *worker)
{
    int slot = s_worker_find(self, worker);

    if (slot < 0)
        return;
    s_worker_requeue_all(self, slot, NULL, NULL);
    s_worker_free(self, slot);
}

bool
sched_worker_known(const sched_t *self, const char *worker)
{
    return s_worker_find(self, worker) >= 0;
}

int
sched_next(sched_t *self, int64_t now, const char **worker, int *attempt)
{
    int best = -1;
    worker_t *w;
    task_t *t;
    int *running;
    int id;

    if (self->nheap == 0)
        return -1;
    for (size_t i = 0; i < self->nworkers; i++) {
        const worker_t *c = &self->workers[i];
        const worker_t *b;

        if (!c->in_use || c->credit <= 0 || s_worker_expired(self, c, now))
            continue;
        if (best < 0) {
            best = (int) i;
            continue;
        }
        b = &self->workers[best];
        if (c->credit > b->credit ||
            (c->credit == b->credit && c->last_dispatch < b->last_dispatch))
            best = (int) i;
    }
    if (best < 0)
        return -1;

    id = self->heap[0];
    t = &self->tasks[id];
    w = &self->workers[best];
    running = s_grow(w->running, &w->cap_running, w->nrunning + 1, sizeof(int));
    if (running == NULL)
        return -1;
    w->running = running;
    s_set_state(self, id, TASK_RUNNING);
    t->attempt++;
    t->worker = best;
    t->run_pos = w->nrunning;
    t->deadline = now + self->lease_ms;
    w->running[w->nrunning++] = id;
    w->credit--;
    w->last_dispatch = now;
    if (worker != NULL)
        *worker = w->id;
    if (attempt != NULL)
        *attempt = t->attempt;
    return id;
}

int
sched_progress(sched_t *self, int task, int attempt, int64_t now)
{
    task_t *t = s_current(self, task, attempt);

    if (t == NULL)
        return -1;
    t->deadline = now + self->lease_ms;
    return 0;
}

int
sched_done(sched_t *self, int task, int attempt)
{
    if (s_current(self, task, attempt) == NULL)
        return -1;
    s_finish(self, task);
    return 0;
}

int
sched_failed(sched_t *self, int task, int attempt, bool retry)
{
    if (s_current(self, task, attempt) == NULL)
        return -1;
    if (retry) {
        s_requeue(self, task);
    } else {
        s_unassign(self, task);
        s_set_state(self, task, TASK_FAILED);
    }
    return 0;
}

int
sched_tick(sched_t *self, int64_t now, sched_event_fn *cb, void *arg)
{
    int events = 0;

    /* silent workers die first: their tasks are requeued, not expired */
    for (size_t i = 0; i < self->nworkers; i++) {
        worker_t *w = &self->workers[i];

        if (!w->in_use || !s_worker_expired(self, w, now))
            continue;
        if (cb != NULL)
            cb(arg, SCHED_WORKER_DEAD, w->id, -1, 0);
        events++;
        events += s_worker_requeue_all(self, (int) i, cb, arg);
        s_worker_free(self, (int) i);
    }

    /* then leases; walking each list backwards keeps the swap-remove of s_unassign safe */
    for (size_t i = 0; i < self->nworkers; i++) {
        worker_t *w = &self->workers[i];

        if (!w->in_use)
            continue;
        for (size_t j = w->nrunning; j-- > 0;) {
            int id = w->running[j];
            task_t *t = &self->tasks[id];
            int attempt = t->attempt;

            if (now < t->deadline)
                continue;
            if (s_requeue(self, id) == TASK_FAILED) {
                if (cb != NULL) {
                    cb(arg, SCHED_LEASE_EXPIRED, w->id, id, attempt);
                    cb(arg, SCHED_TASK_FAILED, w->id, id, attempt);
                }
                events += 2;
            } else {
                if (cb != NULL)
                    cb(arg, SCHED_LEASE_EXPIRED, w->id, id, attempt);
                events++;
            }
        }
    }
    return events;
}

task_state_t
sched_task_state(const sched_t *self, int task)
{
    /* an unknown id reads as FAILED: it will never run */
    return s_task_valid(self, task) ? self->tasks[task].state : TASK_FAILED;
}

int
sched_task_attempt(const sched_t *self, int task)
{
    return s_task_valid(self, task) ? self->tasks[task].attempt : 0;
}

const char *
sched_task_worker(const sched_t *self, int task)
{
    const task_t *t;

    if (!s_task_valid(self, task))
        return NULL;
    t = &self->tasks[task];
    if (t->state != TASK_RUNNING || t->worker < 0)
        return NULL;
    return self->workers[t->worker].id;
}

size_t
sched_task_count(const sched_t *self)
{
    return self->ntasks;
}

size_t
sched_count(const sched_t *self, task_state_t state)
{
    if ((int) state < (int) TASK_WAITING || state > TASK_FAILED)
        return 0;
    return self->counts[state];
}

bool
sched_all_done(const sched_t *self)
{
    return self->counts[TASK_DONE] == self->ntasks;
}

size_t
sched_worker_count(const sched_t *self)
{
    return self->live_workers;
}

size_t
sched_worker_busy(const sched_t *self)
{
    size_t busy = 0;

    for (size_t i = 0; i < self->nworkers; i++) {
        if (self->workers[i].in_use && self->workers[i].nrunning > 0)
            busy++;
    }
    return busy;
}
