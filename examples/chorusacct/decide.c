/*
 * A principal manager's decision on a request: chorusacct approve and
 * reject.
 */
#include "tool.h"

/* Approves every account of argv, or rejects the one account of argv with
 * reason (reason != NULL). Every argument is checked before the first
 * decision: a usage error decides nothing. */
static int decide(tool *t, const char *by_text, const char *reason_text,
                  bool approve, int argc, char **argv)
{
    int64_t by;
    if (!tool_need_id(by_text, "--by", &by) || argc < 1 ||
        (!approve && (argc != 1 || !tool_need(reason_text, "--reason"))))
        return EXIT_USAGE;
    int64_t *ids = calloc((size_t)argc, sizeof *ids);
    if (ids == NULL)
        return EXIT_USAGE;
    for (int i = 0; i < argc; i++) {
        bool twice = false;
        if (!tool_parse_id(argv[i], &ids[i])) {
            free(ids);
            return EXIT_USAGE;
        }
        for (int j = 0; j < i; j++)
            twice = twice || ids[j] == ids[i];
        if (twice) {
            fprintf(stderr, "chorusacct: account %lld given twice\n",
                    (long long)ids[i]);
            free(ids);
            return EXIT_USAGE;
        }
    }
    int status = EXIT_SUCCESS;
    for (int i = 0; i < argc; i++) {
        const int64_t id = ids[i];
        int reason = 0;
        int rc = approve ? chorusacct_account_approve(t->ctx, by, id, &reason)
                         : chorusacct_account_reject(t->ctx, by, id,
                                                     reason_text, &reason);
        chorusacct_account a = {.struct_size = sizeof a};
        if (rc == CHORUSACCT_OK &&
            chorusacct_account_get(t->ctx, id, &a) == CHORUSACCT_OK) {
            tool_print_account_state(id, a.state);
        } else if (rc != CHORUSACCT_OK) {
            int st = tool_report_account(t, id, rc, reason);
            status = st > status ? st : status;
        }
    }
    free(ids);
    return status;
}

static struct {
    const char *by;
} approve_opt;

static const tool_option approve_options[] = {
    {"by", .value = &approve_opt.by},
    {0},
};

static int run_approve(tool *t, int argc, char **argv)
{
    return decide(t, approve_opt.by, NULL, true, argc, argv);
}

const tool_command tool_cmd_approve = {"approve", TOOL_FLOW, approve_options,
                                       run_approve};

static struct {
    const char *by, *reason;
} reject_opt;

static const tool_option reject_options[] = {
    {"by", .value = &reject_opt.by},
    {"reason", .value = &reject_opt.reason},
    {0},
};

static int run_reject(tool *t, int argc, char **argv)
{
    return decide(t, reject_opt.by, reject_opt.reason, false, argc, argv);
}

const tool_command tool_cmd_reject = {"reject", TOOL_FLOW, reject_options,
                                      run_reject};
