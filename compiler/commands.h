/*
 * commands.h: aslc's subcommands that are front ends of their own. Each
 * lives in its own file and has one line in the table below; main.c
 * dispatches on argv[1]. The command gets argv from its own name on and
 * returns the exit status (sysexits, see STYLE.md).
 */
#ifndef ASLC_COMMANDS_H
#define ASLC_COMMANDS_H

/* X(name, function) */
#define ASLC_COMMANDS(X) \
    X("graph", cmd_graph) \
    X("jsonata", cmd_jsonata) \
    X("report", cmd_report) \
    X("serve", cmd_serve) \
    X("test", cmd_test)

int cmd_graph(int argc, char **argv);
int cmd_jsonata(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_test(int argc, char **argv);

#endif
