/*
 * The explicit library initialisation. It is the only place that writes
 * process-wide state, once, under pthread_once: libsodium's own init, the
 * compiled patterns that the validators share read-only afterwards, and
 * libcurl's init when the SMTP mailer is built in.
 */
#include "internal.h"

#include <pthread.h>
#include <sodium.h>

static pthread_once_t init_once_control = PTHREAD_ONCE_INIT;
static int init_status = CHORUSACCT_E_INIT;

static void init_once(void)
{
    if (sodium_init() < 0)
        return;
    if (chorusacct__email_init() != CHORUSACCT_OK)
        return;
    /* libcurl's own init is not thread-safe in older releases: here it
     * runs once. Its failure only disables the SMTP mailer. */
    chorusacct__smtp_init();
    init_status = CHORUSACCT_OK;
}

int chorusacct_init(void)
{
    (void)pthread_once(&init_once_control, init_once);
    return init_status;
}
