/*
 * spawn.h: starting handler processes (process.c's one-shot commands and
 * warm.c's warm Lambda runners): close-on-exec pipes, a Lambda function's
 * environment, fork and exec into a process group of the child's own.
 */
#ifndef ASL_SPAWN_H
#define ASL_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

enum {
    ASL_SPAWN_FDS = 5,     /* descriptors 0..4 of the child can be given */
    ASL_SPAWN_STDERR = -2, /* as a descriptor: a copy of the child's stderr */
};

/* A pipe whose ends are close-on-exec and numbered 3 or above; -1 with
 * errno set. */
int asl_spawn_pipe(int fds[2]);
/* n such pipes: all of them, or none and -1 with errno set. */
int asl_spawn_pipes(int fds[][2], int n);
/* After asl_spawn: closes the child's ends (in[0], out[1], cb[1]) and makes
 * ours (in[1], out[0], cb[0]) non-blocking; on failure (pid < 0) closes
 * ours too, keeping errno. */
void asl_spawn_pipes_settle(int in[2], int out[2], int cb[2], pid_t pid);
/* Our environment with each KEY=VALUE of pairs (key, value, ..., NULL)
 * set, and each key of unset (NULL-terminated, may be NULL) removed.
 * Free it with asl_spawn_env_free. */
char **asl_spawn_env(const char *const *pairs, const char *const *unset);
void asl_spawn_env_free(char **env);
/* Forks and execs argv (found on PATH if search) with env; the child gets
 * fds[i] as its descriptor i (-1: left as it is), leads a process group of
 * its own, and is killed if we die. Its pid, or -1 with errno set (also
 * when exec failed). */
pid_t asl_spawn(char **argv, char **env, bool search, const int fds[ASL_SPAWN_FDS]);

#endif
