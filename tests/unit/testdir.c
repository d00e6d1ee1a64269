/*
 * testdir.c - a scratch directory for the running unit test, and files written into it.
 */
#include "testdir.h"

#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char s_dir[PATH_MAX]; /* the running test's directory */

void
testdir_create(const char *prefix)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(s_dir, sizeof(s_dir), "%s/confiture-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
    ck_assert_ptr_nonnull(mkdtemp(s_dir));
}

void
testdir_remove(void)
{
    DIR *d = opendir(s_dir);
    struct dirent *entry;
    char path[PATH_MAX + 256];

    if (d == NULL)
        return;
    while ((entry = readdir(d)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", s_dir, entry->d_name);
        if (rmdir(path) != 0)
            unlink(path);
    }
    closedir(d);
    rmdir(s_dir);
}

const char *
testdir_path(void)
{
    return s_dir;
}

const char *
testdir_write(const char *file, const char *text)
{
    static char path[PATH_MAX + 256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", s_dir, file);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    ck_assert_int_eq(fclose(f), 0);
    return path;
}
