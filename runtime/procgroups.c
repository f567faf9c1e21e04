/*
 * procgroups.c: every handler process leads a process group of its own (so
 * that a timeout kills what it started too). A terminal's Ctrl-C reaches
 * only aslc's own group, and PR_SET_PDEATHSIG ends only the direct child:
 * grandchildren would be left running. So on SIGINT, SIGTERM or SIGHUP the
 * handler here kills every group still running, then lets the signal take
 * its default course. A signal the caller ignores (nohup) stays ignored.
 *
 * The table is read inside a signal handler: fixed size, plain stores.
 */
#include <signal.h>
#include <stdbool.h>

#include "procgroups.h"

enum { MAX_GROUPS = 256 };   /* process.c runs at most 64 commands at once, warm.c keeps about 64 runners */

static volatile pid_t groups[MAX_GROUPS];
static bool installed;

static void on_signal(int sig)
{
    for (int i = 0; i < MAX_GROUPS; i++)
        if (groups[i] > 0)
            kill(-groups[i], SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    installed = true;
    for (int i = 0; i < 3; i++) {
        struct sigaction old, sa = {.sa_handler = on_signal};
        sigemptyset(&sa.sa_mask);
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
            sigaction(sigs[i], &sa, NULL);
    }
}

void asl_procgroup_add(pid_t pgid)
{
    if (!installed)
        install();
    for (int i = 0; i < MAX_GROUPS; i++)
        if (groups[i] <= 0) {
            groups[i] = pgid;
            return;
        }
}

void asl_procgroup_remove(pid_t pgid)
{
    for (int i = 0; i < MAX_GROUPS; i++)
        if (groups[i] == pgid)
            groups[i] = 0;
}
