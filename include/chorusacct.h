/**
 * @file chorusacct.h
 * @brief libchorusacct: the account-creation flow of Chorus Pro.
 *
 * The umbrella header: it only includes the area headers of
 * `chorusacct/`, each of which also compiles on its own, in C and C++.
 */
#ifndef CHORUSACCT_H
#define CHORUSACCT_H

#include <chorusacct/common.h>
#include <chorusacct/account.h>
#include <chorusacct/clock.h>
#include <chorusacct/context.h>
#include <chorusacct/identifier.h>
#include <chorusacct/mailer.h>
#include <chorusacct/password.h>
#include <chorusacct/postgres.h>
#include <chorusacct/random.h>
#include <chorusacct/sqlite.h>
#include <chorusacct/storage.h>
#include <chorusacct/validate.h>

#endif /* CHORUSACCT_H */
