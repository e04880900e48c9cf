/**
 * @file chorusacct/password.h
 * @brief The password policy.
 *
 * The rules, one by one, are in docs/validators.md.
 */
#ifndef CHORUSACCT_PASSWORD_H
#define CHORUSACCT_PASSWORD_H

#include <chorusacct/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Policy                                                               */

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_PASSWORD_H */
