/*
 * Running the service: chorusacct sweep, states, config and version.
 */
#include "tool.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* sweep                                                                */

static int run_sweep(tool *t, int argc, char **argv)
{
    (void)argc, (void)argv;
    chorusacct_sweep_result r = {.struct_size = sizeof r};
    int rc = chorusacct_sweep(t->ctx, &r);
    if (rc != CHORUSACCT_OK)
        return tool_report(t, rc, 0);
    printf("expired: %u\npurged: %u\npromoted: %u\n", r.expired, r.purged,
           r.promoted);
    return EXIT_SUCCESS;
}

const tool_command tool_cmd_sweep = {"sweep", TOOL_FLOW, NULL, run_sweep};

/* ------------------------------------------------------------------ */
/* states                                                               */

static struct {
    int dot;
} states_opt;

static const tool_option states_options[] = {
    {"dot", .flag = &states_opt.dot},
    {0},
};

static int run_states(tool *t, int argc, char **argv)
{
    (void)argc, (void)argv;
    int lang = t->o.lang;
    if (states_opt.dot) {
        size_t len = 0;
        if (chorusacct_state_diagram(lang, NULL, 0, &len) != CHORUSACCT_OK)
            return EXIT_USAGE;
        char *buf = malloc(len + 1);
        int rc = buf != NULL
                     ? chorusacct_state_diagram(lang, buf, len + 1, NULL)
                     : CHORUSACCT_E_NOMEM;
        if (rc == CHORUSACCT_OK)
            fputs(buf, stdout);
        free(buf);
        return rc == CHORUSACCT_OK ? EXIT_SUCCESS : EXIT_USAGE;
    }
    for (int s = CHORUSACCT_STATE_CREATED; s <= CHORUSACCT_STATE_DISABLED; s++)
        printf("%d\t%s\t%s\n", s, chorusacct_state_name(s),
               chorusacct_state_label(s, lang));
    for (size_t i = 0; i < chorusacct_transition_count(); i++) {
        int from, to, ev;
        if (chorusacct_transition_at(i, &from, &to, &ev) == CHORUSACCT_OK)
            printf("%s -> %s\t%s\n",
                   from ? chorusacct_state_name(from) : "(new)",
                   to ? chorusacct_state_name(to) : "(purged)",
                   chorusacct_event_name(ev));
    }
    return EXIT_SUCCESS;
}

const tool_command tool_cmd_states = {"states", TOOL_LANG, states_options,
                                      run_states};

/* ------------------------------------------------------------------ */
/* config                                                               */

static int run_config(tool *t, int argc, char **argv)
{
    if (argc == 0) {
        for (size_t i = 0; i < TOOL_NSETTINGS; i++) {
            int64_t v;
            if (chorusacct_ctx_get_int(t->ctx, tool_settings[i].opt, &v) ==
                CHORUSACCT_OK)
                printf("%s: %lld\n", tool_settings[i].name, (long long)v);
        }
        int64_t flags = 0;
        if (chorusacct_ctx_get_int(t->ctx, CHORUSACCT_OPT_FLAGS, &flags) ==
            CHORUSACCT_OK)
            printf("flags: %lld\n", (long long)flags);
        return EXIT_SUCCESS;
    }
    int64_t v;
    if (argc != 3 || strcmp(argv[0], "set") != 0) {
        fputs("chorusacct: config takes nothing, or set NAME VALUE\n", stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    int k = tool_setting_find(name);
    int opt = k >= 0 ? tool_settings[k].opt : 0;
    if (strcmp(name, "flags") == 0)
        opt = CHORUSACCT_OPT_FLAGS;
    if (opt == 0) {
        fprintf(stderr, "chorusacct: config set: unknown setting %s\n", name);
        return EXIT_USAGE;
    }
    /* Strictly a number in the setting's range, said otherwise. */
    if (k >= 0 ? !tool_parse_setting((size_t)k, argv[2], &v)
               : !tool_parse_i64(argv[2], &v)) {
        if (k < 0)
            fprintf(stderr, "chorusacct: flags: not a valid value: %s\n",
                    argv[2]);
        return EXIT_USAGE;
    }
    if (chorusacct_ctx_set_int(t->ctx, opt, v) != CHORUSACCT_OK) {
        fprintf(stderr, "chorusacct: cannot set %s to %s: %s\n", name, argv[2],
                chorusacct_ctx_last_error(t->ctx));
        return EXIT_USAGE;
    }
    int rc = tool_config_set(t, name, v);
    if (rc != CHORUSACCT_OK)
        return tool_report(t, rc, 0);
    printf("%s: %lld\n", name, (long long)v);
    return EXIT_SUCCESS;
}

const tool_command tool_cmd_config = {"config", TOOL_FLOW, NULL, run_config};

/* ------------------------------------------------------------------ */
/* version                                                              */

static int run_version(tool *t, int argc, char **argv)
{
    (void)t, (void)argc, (void)argv;
    printf("chorusacct %s (headers %s)\n", chorusacct_version(),
           CHORUSACCT_VERSION_STRING);
    return EXIT_SUCCESS;
}

const tool_command tool_cmd_version = {"version", 0, NULL, run_version};
