/* Run-time version, so that a program or a binding can compare the
 * library it loaded with the headers it was written for. */
#include "internal.h"

const char *chorusacct_version(void)
{
    return CHORUSACCT_VERSION_STRING;
}

uint32_t chorusacct_version_number(void)
{
    return (uint32_t)CHORUSACCT_VERSION_NUMBER;
}
