/*
 * spawn.c: starting handler processes. Every child leads a process group of
 * its own (so that killing the group ends what it started too, see
 * procgroups.c) and dies with us (PR_SET_PDEATHSIG). exec failing is
 * reported back through a close-on-exec pipe, so the caller gets errno
 * instead of a child that exits 127.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "spawn.h"

extern char **environ;

/* A close-on-exec copy numbered 3 or above (the original is closed). */
static int high_fd(int fd)
{
    int h = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return h;
}

int asl_spawn_pipe(int fds[2])
{
    int raw[2];
    if (pipe(raw) < 0)
        return -1;
    fds[0] = high_fd(raw[0]);
    fds[1] = high_fd(raw[1]);
    if (fds[0] < 0 || fds[1] < 0) {
        if (fds[0] >= 0)
            close(fds[0]);
        if (fds[1] >= 0)
            close(fds[1]);
        fds[0] = fds[1] = -1;
        return -1;
    }
    return 0;
}

int asl_spawn_pipes(int fds[][2], int n)
{
    for (int i = 0; i < n; i++)
        if (asl_spawn_pipe(fds[i]) < 0) {
            int e = errno;
            while (i-- > 0) {
                close(fds[i][0]);
                close(fds[i][1]);
            }
            errno = e;
            return -1;
        }
    return 0;
}

void asl_spawn_pipes_settle(int in[2], int out[2], int cb[2], pid_t pid)
{
    int e = errno;
    close(in[0]);
    close(out[1]);
    close(cb[1]);
    int ours[] = {in[1], out[0], cb[0]};
    for (int i = 0; i < 3; i++)
        if (pid < 0)
            close(ours[i]);
        else
            fcntl(ours[i], F_SETFL, O_NONBLOCK);
    errno = e;
}

static bool env_listed(const char *entry, const char *const *keys, size_t step)
{
    for (size_t i = 0; keys && keys[i]; i += step) {
        size_t n = strlen(keys[i]);
        if (!strncmp(entry, keys[i], n) && entry[n] == '=')
            return true;
    }
    return false;
}

char **asl_spawn_env(const char *const *pairs, const char *const *unset)
{
    size_t n = 0, extra = 0;
    while (environ[n])
        n++;
    while (pairs[extra])
        extra += 2;
    char **env = calloc(n + extra / 2 + 1, sizeof *env);
    if (!env)
        abort();
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!env_listed(environ[i], pairs, 2) && !env_listed(environ[i], unset, 1))
            env[k++] = strdup(environ[i]);
    for (size_t i = 0; pairs[i]; i += 2) {
        asl_buf b = {0};
        asl_buf_printf(&b, "%s=%s", pairs[i], pairs[i + 1]);
        env[k++] = b.p;
    }
    return env;
}

void asl_spawn_env_free(char **env)
{
    for (size_t i = 0; env[i]; i++)
        free(env[i]);
    free(env);
}

/* In the child, between fork and exec: only async-signal-safe calls. The
 * given descriptors are first copied out of the way (10 and above), so
 * that placing one cannot overwrite another still to be placed. Failing,
 * it reports errno on err_fd. */
static void child(const int fds[ASL_SPAWN_FDS], int err_fd, pid_t parent, char **argv, char **env, bool search)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    err_fd = fcntl(err_fd, F_DUPFD_CLOEXEC, 10);
    int moved[ASL_SPAWN_FDS];
    bool ok = err_fd >= 0;
    for (int i = 0; i < ASL_SPAWN_FDS; i++) {
        moved[i] = fds[i] >= 0 ? fcntl(fds[i], F_DUPFD_CLOEXEC, 10) : fds[i];
        ok = ok && (fds[i] < 0 || moved[i] >= 0);
    }
    for (int i = 0; ok && i < ASL_SPAWN_FDS; i++)
        if (moved[i] >= 0)
            ok = dup2(moved[i], i) >= 0;
    for (int i = 0; ok && i < ASL_SPAWN_FDS; i++)
        if (moved[i] == ASL_SPAWN_STDERR && i != 2)
            ok = dup2(2, i) >= 0;
    if (ok) {
        if (search)
            execvpe(argv[0], argv, env);
        else
            execve(argv[0], argv, env);
    }
    int e = errno;
    ssize_t w = write(err_fd, &e, sizeof e);
    (void)w;
    _exit(127);
}

pid_t asl_spawn(char **argv, char **env, bool search, const int fds[ASL_SPAWN_FDS])
{
    int err[2];
    if (asl_spawn_pipe(err) < 0)
        return -1;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0)
        child(fds, err[1], parent, argv, env, search);
    int e = errno;
    close(err[1]);
    if (pid > 0) {
        ssize_t n;
        while ((n = read(err[0], &e, sizeof e)) < 0 && errno == EINTR)
            ;
        if (n == (ssize_t)sizeof e) {
            waitpid(pid, NULL, 0);
            pid = -1;
        }
    }
    close(err[0]);
    errno = e;
    return pid;
}
