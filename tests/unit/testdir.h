/*
 * testdir.h - a scratch directory for the running unit test, and files written into it.
 *
 * Use testdir_create and testdir_remove as a Check fixture (tcase_add_checked_fixture): in
 * fork mode each test gets its own directory. A failed test leaves its directory behind in
 * $TMPDIR (or /tmp), for a look.
 */
#ifndef CONFITURE_TESTDIR_H
#define CONFITURE_TESTDIR_H

/* Creates a new directory $TMPDIR/confiture-PREFIX-XXXXXX (the test fails when it cannot). */
void testdir_create(const char *prefix);

/* Removes the directory, its files and its empty subdirectories. */
void testdir_remove(void);

/* The directory's path. */
const char *testdir_path(void);

/* Writes text to FILE inside the directory (the test fails on error); returns the file's
 * path, valid until the next call. */
const char *testdir_write(const char *file, const char *text);

#endif
