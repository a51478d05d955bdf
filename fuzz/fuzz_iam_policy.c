/* Fuzz target: what the access check reads from servers (src/access_policy.c):
 * IAM policies (a bucket's, a project's) and IAM role documents.
 *
 * Input: a response body, read as a policy and as a role. Checked: clean
 * codes; nothing kept of a document refused; grants bounded, their strings
 * terminated within their buffers; only members that may reach the agent
 * make grants; the verdict is one of the five, GRANTED only with grants
 * that hold both permissions between them; reading the same policy as the
 * bucket's and as the project's never gives a weaker verdict than as the
 * bucket's alone; a role's permissions are within get and list. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "fuzz_target.h"

#define AGENT "service-123456789012@gcp-sa-healthcare.iam.gserviceaccount.com"


/* How strong a verdict is: none < undecided < conditional < granted. */
static int strength(int v)
{
    switch (v) {
    case GCSPLAN_ACCESS_GRANTED: return 3;
    case GCSPLAN_ACCESS_CONDITIONAL: return 2;
    case GCSPLAN_ACCESS_UNDECIDED: return 1;
    case GCSPLAN_ACCESS_NONE: return 0;
    default: return -1;
    }
}

static void check_grants(const gcsplan__policy_scan *s)
{
    FZ_CHECK(s->ngrants <= GCSPLAN__GRANTS_MAX, "%zu grants", s->ngrants);
    for (size_t i = 0; i < s->ngrants; i++) {
        const gcsplan__grant *g = &s->grants[i];
        FZ_CHECK(memchr(g->role, '\0', sizeof g->role) != NULL, "role unterminated");
        FZ_CHECK(memchr(g->member, '\0', sizeof g->member) != NULL, "member unterminated");
        FZ_CHECK(memchr(g->condition, '\0', sizeof g->condition) != NULL, "condition unterminated");
        FZ_CHECK(g->via >= GCSPLAN__VIA_MEMBER && g->via <= GCSPLAN__VIA_PROJECT_OWNER, "via %d", g->via);
        FZ_CHECK((g->reaches == 1) == (g->via <= GCSPLAN__VIA_ALL_AUTH), "reaches %d via %d",
              g->reaches, g->via);
        FZ_CHECK((g->perms & ~GCSPLAN__PERM_BOTH) == 0, "perms %u", g->perms);
        if (g->via == GCSPLAN__VIA_GROUP)
            FZ_CHECK(strncmp(g->member, "group:", 6) == 0, "a group grant to '%s'", g->member);
        if (g->via >= GCSPLAN__VIA_PROJECT_VIEWER)
            FZ_CHECK(strncmp(g->member, "project", 7) == 0, "a convenience grant to '%s'", g->member);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input("body", data, size);
    char *text = malloc(size ? size : 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    gcsplan__policy_scan *s = malloc(sizeof *s);
    if (s == NULL) {
        free(text);
        return 0;
    }
    s->agent = AGENT;
    gcsplan_error err;
    int rc = gcsplan__policy_scan_text(s, text, size, &err);
    FZ_CHECK(rc == 0 || rc == GCSPLAN_EINVAL || rc == GCSPLAN_ELIMIT, "scan rc %d", rc);
    if (rc != 0) {
        FZ_CHECK(s->ngrants == 0 && s->basic == 0, "a refused policy kept grants");
        FZ_CHECK(err.code == rc && strlen(err.message) < sizeof err.message, "error not filled");
    }
    FZ_CHECK(strcmp(s->agent, AGENT) == 0, "the agent was lost");
    check_grants(s);
    FZ_CHECK(s->basic <= 7, "basic %u", s->basic);
    gcsplan__verdict alone, twice;
    gcsplan__access_verdict(&alone, s, NULL);
    FZ_CHECK(strength(alone.verdict) >= 0, "verdict %d", alone.verdict);
    if (alone.verdict == GCSPLAN_ACCESS_GRANTED || alone.verdict == GCSPLAN_ACCESS_CONDITIONAL) {
        FZ_CHECK(alone.by[0] != NULL && alone.by[1] != NULL, "granted by nothing");
        FZ_CHECK((alone.by[0]->perms & GCSPLAN__PERM_GET) && (alone.by[1]->perms & GCSPLAN__PERM_LIST),
              "granted by grants without the permissions");
        FZ_CHECK(alone.by[0]->reaches == 1 && alone.by[1]->reaches == 1, "granted through a group");
    }
    if (alone.verdict == GCSPLAN_ACCESS_GRANTED)
        FZ_CHECK(!alone.by[0]->conditional && !alone.by[1]->conditional, "granted with a condition");
    gcsplan__access_verdict(&twice, s, s);
    FZ_CHECK(strength(twice.verdict) >= strength(alone.verdict), "a second policy weakened it");
    unsigned int perms = 99;
    rc = gcsplan__role_doc_perms(text, size, &perms, &err);
    FZ_CHECK(rc == 0 || rc == GCSPLAN_EINVAL || rc == GCSPLAN_ELIMIT, "role rc %d", rc);
    FZ_CHECK((perms & ~GCSPLAN__PERM_BOTH) == 0, "role perms %u", perms);
    FZ_CHECK(rc == 0 || perms == 0, "a refused role has permissions");
    free(s);
    free(text);
    return 0;
}
