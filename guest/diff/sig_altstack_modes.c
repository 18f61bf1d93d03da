/* sigaltstack with handlers: SA_ONSTACK handlers run on the alternate stack (and report
 * SS_ONSTACK there, where changing or disabling it is EPERM), a signal raised inside such a
 * handler nests below it on the same stack, handlers without SA_ONSTACK (or with it but no
 * alternate stack) use the normal stack. uc_stack in the frame holds the setting, and
 * rt_sigreturn reinstates what the handler left there: a stack the handler put into
 * uc_stack is in force afterwards, unless the handler ran on the alternate stack itself (the
 * change is refused as it would be from there, EPERM, silently). SS_AUTODISARM: the stack is disarmed while the handler
 * runs (SS_DISABLE reported, a new setting allowed) and rt_sigreturn brings the old one
 * back. The legacy mode value SS_ONSTACK is accepted by sigaltstack(). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

static char alt1[32768], alt2[32768], alt3[32768];
static char *normal_stack_mark;

static const char *where(const void *p)
{
    const char *c = p;
    if (c >= alt1 && c < alt1 + sizeof alt1)
        return "alt1";
    if (c >= alt2 && c < alt2 + sizeof alt2)
        return "alt2";
    if (c >= alt3 && c < alt3 + sizeof alt3)
        return "alt3";
    if (c < normal_stack_mark && c > normal_stack_mark - (1 << 20))
        return "normal stack";
    return "elsewhere";
}

static const char *flags_name(int f)
{
    static char bufs[2][64];
    static int n;
    char *buf = bufs[n++ & 1];
    buf[0] = 0;
    if (f & SS_ONSTACK)
        strcat(buf, "SS_ONSTACK ");
    if (f & SS_DISABLE)
        strcat(buf, "SS_DISABLE ");
    if (f & SS_AUTODISARM)
        strcat(buf, "SS_AUTODISARM ");
    if (!buf[0])
        strcat(buf, "0 ");
    buf[strlen(buf) - 1] = 0;
    return buf;
}

static void show(const char *what, const stack_t *s)
{
    printf("%s: sp %s size %zu flags %s\n", what, s->ss_sp ? where(s->ss_sp) : "NULL", s->ss_size,
           flags_name(s->ss_flags));
}

static int mode; /* what the handler does */
static char *outer_local;

static void handler(int sig, siginfo_t *si, void *ucv)
{
    (void)si;
    ucontext_t *uc = ucv;
    char local;
    stack_t now, ss;
    sigaltstack(NULL, &now);
    printf("  handler for %d runs on %s; sigaltstack reports flags %s; uc_stack: sp %s flags %s\n", sig,
           where(&local), flags_name(now.ss_flags), uc->uc_stack.ss_sp ? where(uc->uc_stack.ss_sp) : "NULL",
           flags_name(uc->uc_stack.ss_flags));
    switch (mode) {
    case 1: /* try to change it while on it */
        ss.ss_sp = alt2;
        ss.ss_size = sizeof alt2;
        ss.ss_flags = 0;
        errno = 0;
        printf("  change it from the handler: %d %s\n", sigaltstack(&ss, NULL), errno == EPERM ? "EPERM" : "");
        ss.ss_flags = SS_DISABLE;
        errno = 0;
        printf("  disable it from the handler: %d %s\n", sigaltstack(&ss, NULL), errno == EPERM ? "EPERM" : "");
        break;
    case 2: /* nest */
        mode = 0;
        outer_local = &local;
        raise(SIGUSR2);
        break;
    case 3: /* replace it through the frame */
        uc->uc_stack.ss_sp = alt3;
        uc->uc_stack.ss_size = sizeof alt3;
        uc->uc_stack.ss_flags = 0;
        break;
    case 4: /* AUTODISARM: a new setting is allowed, but rt_sigreturn puts the old back */
        ss.ss_sp = alt2;
        ss.ss_size = sizeof alt2;
        ss.ss_flags = 0;
        printf("  change it from the handler: %d\n", sigaltstack(&ss, NULL));
        sigaltstack(NULL, &now);
        printf("  now: sp %s\n", where(now.ss_sp));
        break;
    case 0:
        if (outer_local)
            printf("  nested frame is below the outer handler: %s\n", &local < outer_local ? "yes" : "no");
        break;
    }
}

static void install(int sig, int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

int main(void)
{
    char mark;
    normal_stack_mark = (char *)((uintptr_t)&mark + 4096);
    stack_t ss, old;
    sigaltstack(NULL, &old);
    show("initially", &old);

    install(SIGUSR1, SA_ONSTACK);
    install(SIGUSR2, SA_ONSTACK);
    install(SIGHUP, 0);
    printf("SA_ONSTACK without an alternate stack:\n");
    raise(SIGUSR1);

    ss.ss_sp = alt1;
    ss.ss_size = sizeof alt1;
    ss.ss_flags = 0;
    printf("sigaltstack(alt1) = %d\n", sigaltstack(&ss, &old));
    show("  old", &old);
    sigaltstack(NULL, &old);
    show("  now", &old);
    printf("SA_ONSTACK:\n");
    mode = 1;
    raise(SIGUSR1);
    printf("without SA_ONSTACK:\n");
    mode = 0;
    raise(SIGHUP);
    printf("nested:\n");
    mode = 2;
    raise(SIGUSR1);
    outer_local = NULL;
    printf("replaced through uc_stack by a handler on the alternate stack:\n");
    mode = 3;
    raise(SIGUSR1);
    sigaltstack(NULL, &old);
    show("  afterwards", &old);
    printf("replaced through uc_stack by a handler on the normal stack:\n");
    raise(SIGHUP);
    sigaltstack(NULL, &old);
    show("  afterwards", &old);
    mode = 0;
    raise(SIGUSR1);
    ss.ss_sp = alt1;
    ss.ss_size = sizeof alt1;
    ss.ss_flags = 0;
    sigaltstack(&ss, NULL);

    ss.ss_sp = alt1;
    ss.ss_flags = SS_AUTODISARM;
    printf("sigaltstack(alt1, SS_AUTODISARM) = %d\n", sigaltstack(&ss, NULL));
    sigaltstack(NULL, &old);
    show("  now", &old);
    mode = 4;
    raise(SIGUSR1);
    sigaltstack(NULL, &old);
    show("  afterwards", &old);

    ss.ss_flags = SS_ONSTACK;
    printf("sigaltstack(alt1, SS_ONSTACK) = %d\n", sigaltstack(&ss, NULL));
    sigaltstack(NULL, &old);
    show("  now", &old);
    ss.ss_flags = SS_DISABLE;
    ss.ss_size = 0;
    printf("sigaltstack(SS_DISABLE) = %d\n", sigaltstack(&ss, &old));
    show("  old", &old);
    sigaltstack(NULL, &old);
    show("  now", &old);
    return 0;
}
