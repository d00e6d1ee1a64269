/*
 * exitcodes.h - the process exit codes of every confiture program.
 *
 * They are a documented contract (README.md, docs/cli.md): scripts branch on them.
 */
#ifndef CONFITURE_EXITCODES_H
#define CONFITURE_EXITCODES_H

#define EXIT_CODE_OK          0 /* done; verify found no difference */
#define EXIT_CODE_DIFFERENT   1 /* verify (or the end-of-sync check) found a difference */
#define EXIT_CODE_USAGE       2 /* bad command line */
#define EXIT_CODE_CONFIG      3 /* bad or missing environment file, rules, DSN */
#define EXIT_CODE_CONNECT     4 /* a database or the coordinator cannot be reached or logged into */
#define EXIT_CODE_SCHEMA      5 /* preflight refused: missing table or column, unsafe truncate */
#define EXIT_CODE_FAILED      6 /* the job failed while copying or finishing the target */
#define EXIT_CODE_INTERNAL    70  /* a bug: please report it */
#define EXIT_CODE_INTERRUPTED 130 /* stopped by SIGINT or SIGTERM */

#endif
