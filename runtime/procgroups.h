/*
 * procgroups.h: the process groups of running handler processes, killed
 * when aslc is told to stop (SIGINT, SIGTERM, SIGHUP) so that nothing a
 * handler started outlives the run.
 */
#ifndef ASL_PROCGROUPS_H
#define ASL_PROCGROUPS_H

#include <sys/types.h>

/* A process group now running (its leader's pid); the first one installs
 * the signal handlers. */
void asl_procgroup_add(pid_t pgid);
void asl_procgroup_remove(pid_t pgid);

#endif
