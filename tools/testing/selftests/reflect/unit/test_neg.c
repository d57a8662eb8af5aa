// SPDX-License-Identifier: GPL-2.0
/*
 * Key table and negotiation: every result function, out-of-range and
 * malformed offers, special answers, checks of answers, vendor keys, and
 * whole-segment responses of a target.
 */

#include "unit.h"

static const struct rfl_key *key(unsigned int id)
{
	return rfl_key_get(id);
}

/* Parse one "key=value" (NUL-terminated literal) into *kv. */
static void one(const char *text, struct rfl_kv *kv,
		const struct rfl_keyset *ks)
{
	struct rfl_text_iter it;

	rfl_text_iter_init(&it, text, strlen(text) + 1, ks);
	if (!rfl_text_next(&it, kv)) {
		printf("# cannot parse %s\n", text);
		unit_failed++;
		memset(kv, 0, sizeof(*kv));
		kv->key = "";
		kv->value = "";
	}
}

/*
 * Answer the offer @text with own value @own; check outcome and answer
 * text (NULL: nothing appended).
 */
static void answer(const char *text, const char *own, bool disc,
		   int outcome, const char *want)
{
	char buf[512];
	struct rfl_text_buf tb;
	struct rfl_neg_value res;
	struct rfl_kv kv;
	int err;

	one(text, &kv, NULL);
	rfl_tb_init(&tb, buf, sizeof(buf));
	err = rfl_neg_answer(kv.def, &kv, own, disc, &tb, &res);
	if (err || res.outcome != outcome ||
	    (want ? tb.len != strlen(want) + 1 || strcmp(buf, want) :
		    tb.len != 0)) {
		printf("# offer %s own %s: err %d outcome %d answer %.*s\n",
		       text, own ? own : "(default)", err, res.outcome,
		       (int)tb.len, buf);
		unit_failed++;
	}
}

static void t_table(void)
{
	static const char * const names[] = {
		"HeaderDigest", "DataDigest", "MaxConnections", "SendTargets",
		"TargetName", "InitiatorName", "TargetAlias",
		"InitiatorAlias", "TargetAddress", "TargetPortalGroupTag",
		"InitialR2T", "ImmediateData", "MaxRecvDataSegmentLength",
		"MaxBurstLength", "FirstBurstLength", "DefaultTime2Wait",
		"DefaultTime2Retain", "MaxOutstandingR2T", "DataPDUInOrder",
		"DataSequenceInOrder", "ErrorRecoveryLevel", "SessionType",
		"AuthMethod", "CHAP_A", "CHAP_I", "CHAP_C", "CHAP_N", "CHAP_R",
		"TaskReporting", "iSCSIProtocolLevel", "IFMarker", "OFMarker",
		"IFMarkInt", "OFMarkInt",
	};
	const struct rfl_key *k;
	unsigned int i;

	CHECK_EQ(UNIT_COUNT(names), RFL_KEY_NR);
	for (i = 0; i < RFL_KEY_NR; i++) {
		k = rfl_key_find(NULL, names[i], strlen(names[i]));
		CHECK(k && k->id == i && k == key(i));
		if (k && k->vtype == RFL_VT_NUM)
			CHECK(k->min <= k->max);
		if (k && (k->neg == RFL_NEG_MIN || k->neg == RFL_NEG_MAX ||
			  k->neg == RFL_NEG_AND || k->neg == RFL_NEG_OR ||
			  k->neg == RFL_NEG_LIST)) {
			/* the default is a legal value */
			CHECK(k->dflt_str && !rfl_value_check(k, k->dflt_str,
						strlen(k->dflt_str)));
		}
	}
	CHECK(key(RFL_KEY_NR) == NULL);
	CHECK(rfl_key_find(NULL, "HeaderDigestX", 13) == NULL);
	CHECK(rfl_key_find(NULL, "HeaderDiges", 11) == NULL);
	CHECK(rfl_key_find(NULL, "X-org.example.K", 15) == NULL);
	CHECK(rfl_key_find(NULL, "CHAP_A\0xyz", 10) == NULL);
	/* spot checks of the RFC 7143 table */
	CHECK_EQ(key(RFL_KEY_MAX_BURST_LENGTH)->dflt, 262144);
	CHECK_EQ(key(RFL_KEY_FIRST_BURST_LENGTH)->dflt, 65536);
	CHECK_EQ(key(RFL_KEY_MAX_RECV_DSL)->dflt, 8192);
	CHECK_EQ(key(RFL_KEY_DEFAULT_TIME2RETAIN)->dflt, 20);
	CHECK_EQ(key(RFL_KEY_DEFAULT_TIME2WAIT)->neg, RFL_NEG_MAX);
	CHECK_EQ(key(RFL_KEY_INITIAL_R2T)->neg, RFL_NEG_OR);
	CHECK_EQ(key(RFL_KEY_IMMEDIATE_DATA)->neg, RFL_NEG_AND);
	CHECK_EQ(key(RFL_KEY_MAX_RECV_DSL)->neg, RFL_NEG_DECLARE);
}

static void t_key_use(void)
{
	const unsigned int sec = RFL_PHASE_SECURITY,
		op = RFL_PHASE_OPERATIONAL, ffp = RFL_PHASE_FFP;

	CHECK_EQ(rfl_key_check_use(key(RFL_KEY_INITIATOR_NAME), true, sec),
		 RFL_TEXT_E_SENDER);
	CHECK_EQ(rfl_key_check_use(key(RFL_KEY_INITIATOR_NAME), false, sec),
		 0);
	CHECK_EQ(rfl_key_check_use(key(RFL_KEY_TARGET_PORTAL_GROUP_TAG), false,
				   sec), RFL_TEXT_E_SENDER);
	/* Mutual CHAP: the initiator sends CHAP_I and CHAP_C too. */
	CHECK_EQ(rfl_key_check_use(key(RFL_KEY_CHAP_I), false, sec), 0);
	CHECK_EQ(rfl_key_check_use(key(RFL_KEY_CHAP_R), false, op),
		 RFL_TEXT_E_PHASE);
	CHECK_EQ(rfl_key_check_use(key(RFL_KEY_CHAP_R), false, sec), 0);
	CHECK_EQ(rfl_key_check_use(key(RFL_KEY_SEND_TARGETS), false, op),
		 RFL_TEXT_E_PHASE);
	CHECK_EQ(rfl_key_check_use(key(RFL_KEY_SEND_TARGETS), false, ffp), 0);
	CHECK_EQ(rfl_key_check_use(key(RFL_KEY_HEADER_DIGEST), true, ffp),
		 RFL_TEXT_E_PHASE);
	CHECK_EQ(rfl_key_check_use(key(RFL_KEY_MAX_RECV_DSL), true, ffp), 0);
	CHECK_EQ(rfl_key_check_use(key(RFL_KEY_TARGET_NAME), true, ffp), 0);
}

static void t_bool_functions(void)
{
	const struct rfl_key *and = key(RFL_KEY_IMMEDIATE_DATA);
	const struct rfl_key *or = key(RFL_KEY_INITIAL_R2T);
	unsigned int o, w;
	bool r;

	for (o = 0; o < 2; o++) {
		for (w = 0; w < 2; w++) {
			CHECK_EQ(rfl_neg_bool(and, o, w, &r), 0);
			CHECK_EQ(r, o && w);
			CHECK_EQ(rfl_neg_bool(or, o, w, &r), 0);
			CHECK_EQ(r, o || w);
		}
	}
	CHECK_EQ(rfl_neg_bool(key(RFL_KEY_MAX_BURST_LENGTH), 1, 1, &r),
		 RFL_TEXT_E_INVAL);
}

static void t_num_functions(void)
{
	const struct rfl_key *mn = key(RFL_KEY_MAX_BURST_LENGTH);
	const struct rfl_key *mx = key(RFL_KEY_DEFAULT_TIME2WAIT);
	u64 r = 0;

	CHECK_EQ(rfl_neg_num(mn, 4096, 8192, &r), 0);
	CHECK_EQ(r, 4096);
	CHECK_EQ(rfl_neg_num(mn, 16777215, 8192, &r), 0);
	CHECK_EQ(r, 8192);
	CHECK_EQ(rfl_neg_num(mn, 511, 8192, &r), RFL_TEXT_E_RANGE);
	CHECK_EQ(rfl_neg_num(mn, 16777216, 8192, &r), RFL_TEXT_E_RANGE);
	CHECK_EQ(rfl_neg_num(mn, 4096, 100, &r), RFL_TEXT_E_INVAL);
	CHECK_EQ(rfl_neg_num(mx, 0, 2, &r), 0);
	CHECK_EQ(r, 2);
	CHECK_EQ(rfl_neg_num(mx, 3600, 2, &r), 0);
	CHECK_EQ(r, 3600);
	CHECK_EQ(rfl_neg_num(mx, 3601, 2, &r), RFL_TEXT_E_RANGE);
	CHECK_EQ(rfl_neg_num(key(RFL_KEY_INITIAL_R2T), 1, 1, &r),
		 RFL_TEXT_E_INVAL);
}

static void t_list_function(void)
{
	u32 pos = 99, len = 99;

	CHECK_EQ(rfl_neg_list("CRC32C,None", 11, "None,CRC32C", &pos, &len), 0);
	CHECK(pos == 0 && len == 6);	/* the offer's order wins */
	CHECK_EQ(rfl_neg_list("CRC32C,None", 11, "None", &pos, &len), 0);
	CHECK(pos == 7 && len == 4);
	CHECK_EQ(rfl_neg_list("Foo,Bar,CHAP", 12, "CHAP,None", &pos, &len),
		 0);
	CHECK(pos == 8 && len == 4);
	CHECK_EQ(rfl_neg_list("CRC32C", 6, "None", &pos, &len),
		 RFL_TEXT_E_NO_COMMON);
	CHECK_EQ(rfl_neg_list("CRC", 3, "CRC32C", &pos, &len),
		 RFL_TEXT_E_NO_COMMON);
	CHECK_EQ(rfl_neg_list("", 0, "None", &pos, &len),
		 RFL_TEXT_E_NO_COMMON);
}

static void t_answer_each_kind(void)
{
	/* not understood */
	answer("X-org.example.K=Yes", NULL, false, RFL_NEG_NOT_UNDERSTOOD,
	       "X-org.example.K=NotUnderstood");
	answer("Foo=1", NULL, false, RFL_NEG_NOT_UNDERSTOOD,
	       "Foo=NotUnderstood");
	/* AND */
	answer("ImmediateData=Yes", NULL, false, RFL_NEG_AGREED,
	       "ImmediateData=Yes");
	answer("ImmediateData=Yes", "No", false, RFL_NEG_AGREED,
	       "ImmediateData=No");
	answer("ImmediateData=No", "Yes", false, RFL_NEG_AGREED,
	       "ImmediateData=No");
	/* OR */
	answer("InitialR2T=No", NULL, false, RFL_NEG_AGREED,
	       "InitialR2T=Yes");
	answer("InitialR2T=No", "No", false, RFL_NEG_AGREED,
	       "InitialR2T=No");
	answer("DataPDUInOrder=Yes", "No", false, RFL_NEG_AGREED,
	       "DataPDUInOrder=Yes");
	/* minimum */
	answer("MaxBurstLength=1048576", NULL, false, RFL_NEG_AGREED,
	       "MaxBurstLength=262144");
	answer("MaxBurstLength=0x1000", NULL, false, RFL_NEG_AGREED,
	       "MaxBurstLength=4096");
	answer("MaxConnections=8", "4", false, RFL_NEG_AGREED,
	       "MaxConnections=4");
	answer("ErrorRecoveryLevel=2", NULL, false, RFL_NEG_AGREED,
	       "ErrorRecoveryLevel=0");
	answer("iSCSIProtocolLevel=1", "0", false, RFL_NEG_AGREED,
	       "iSCSIProtocolLevel=0");
	/* maximum */
	answer("DefaultTime2Wait=0", NULL, false, RFL_NEG_AGREED,
	       "DefaultTime2Wait=2");
	answer("DefaultTime2Wait=10", NULL, false, RFL_NEG_AGREED,
	       "DefaultTime2Wait=10");
	/* list */
	answer("HeaderDigest=CRC32C,None", NULL, false, RFL_NEG_AGREED,
	       "HeaderDigest=None");
	answer("HeaderDigest=CRC32C,None", "CRC32C,None", false,
	       RFL_NEG_AGREED, "HeaderDigest=CRC32C");
	answer("DataDigest=CRC32C", "None", false, RFL_NEG_REJECTED,
	       "DataDigest=Reject");
	answer("AuthMethod=KRB5,CHAP,None", "CHAP", false, RFL_NEG_AGREED,
	       "AuthMethod=CHAP");
	answer("TaskReporting=FastAbort,RFC3720", NULL, false,
	       RFL_NEG_AGREED, "TaskReporting=RFC3720");
	/* declarative: checked, not answered */
	answer("MaxRecvDataSegmentLength=65536", NULL, false,
	       RFL_NEG_DECLARED, NULL);
	answer("InitiatorName=iqn.2026-11.org.reflect:h", NULL, false,
	       RFL_NEG_DECLARED, NULL);
	answer("SessionType=Discovery", NULL, false, RFL_NEG_DECLARED, NULL);
	/* CHAP is the caller's */
	answer("CHAP_A=5,7", NULL, false, RFL_NEG_DEFERRED, NULL);
	answer("CHAP_R=0x00", NULL, false, RFL_NEG_DEFERRED, NULL);
	/* obsolete markers */
	answer("IFMarker=No", NULL, false, RFL_NEG_REJECTED,
	       "IFMarker=Reject");
	answer("OFMarkInt=2048~8192", NULL, false, RFL_NEG_REJECTED,
	       "OFMarkInt=Reject");
}

static void t_answer_bad_offers(void)
{
	answer("MaxBurstLength=511", NULL, false, RFL_NEG_REJECTED,
	       "MaxBurstLength=Reject");
	answer("MaxBurstLength=16777216", NULL, false, RFL_NEG_REJECTED,
	       "MaxBurstLength=Reject");
	answer("ErrorRecoveryLevel=3", NULL, false, RFL_NEG_REJECTED,
	       "ErrorRecoveryLevel=Reject");
	answer("MaxConnections=0", NULL, false, RFL_NEG_REJECTED,
	       "MaxConnections=Reject");
	answer("DefaultTime2Retain=3601", NULL, false, RFL_NEG_REJECTED,
	       "DefaultTime2Retain=Reject");
	answer("MaxBurstLength=abc", NULL, false, RFL_NEG_REJECTED,
	       "MaxBurstLength=Reject");
	answer("MaxBurstLength=", NULL, false, RFL_NEG_REJECTED,
	       "MaxBurstLength=Reject");
	answer("ImmediateData=yes", NULL, false, RFL_NEG_REJECTED,
	       "ImmediateData=Reject");
	answer("HeaderDigest=CRC32C,,None", NULL, false, RFL_NEG_REJECTED,
	       "HeaderDigest=Reject");
	answer("MaxRecvDataSegmentLength=511", NULL, false, RFL_NEG_REJECTED,
	       "MaxRecvDataSegmentLength=Reject");
	answer("SessionType=Other", NULL, false, RFL_NEG_REJECTED,
	       "SessionType=Reject");
	/* special values are answers, never offers */
	answer("MaxBurstLength=Irrelevant", NULL, false, RFL_NEG_REJECTED,
	       "MaxBurstLength=Reject");
	answer("ImmediateData=Reject", NULL, false, RFL_NEG_REJECTED,
	       "ImmediateData=Reject");
}

static void t_answer_discovery(void)
{
	answer("MaxBurstLength=4096", NULL, true, RFL_NEG_IRRELEVANT,
	       "MaxBurstLength=Irrelevant");
	answer("InitialR2T=No", NULL, true, RFL_NEG_IRRELEVANT,
	       "InitialR2T=Irrelevant");
	answer("MaxConnections=2", NULL, true, RFL_NEG_IRRELEVANT,
	       "MaxConnections=Irrelevant");
	/* still relevant for discovery */
	answer("HeaderDigest=None", NULL, true, RFL_NEG_AGREED,
	       "HeaderDigest=None");
	answer("DefaultTime2Wait=5", NULL, true, RFL_NEG_AGREED,
	       "DefaultTime2Wait=5");
	answer("ErrorRecoveryLevel=1", NULL, true, RFL_NEG_AGREED,
	       "ErrorRecoveryLevel=0");
}

static void t_answer_errors(void)
{
	char buf[24];
	struct rfl_text_buf tb;
	struct rfl_neg_value res;
	struct rfl_kv kv;

	one("ImmediateData=Yes", &kv, NULL);
	rfl_tb_init(&tb, buf, sizeof(buf));
	CHECK_EQ(rfl_neg_answer(kv.def, &kv, "Maybe", false, &tb, &res),
		 RFL_TEXT_E_INVAL);
	one("MaxBurstLength=4096", &kv, NULL);
	CHECK_EQ(rfl_neg_answer(kv.def, &kv, "100", false, &tb, &res),
		 RFL_TEXT_E_INVAL);
	CHECK_EQ(rfl_neg_answer(kv.def, &kv, "x", false, &tb, &res),
		 RFL_TEXT_E_INVAL);
	one("DefaultTime2Retain=0", &kv, NULL);
	CHECK_EQ(rfl_neg_answer(kv.def, &kv, NULL, false, &tb, &res), 0);
	CHECK_EQ(tb.len, 21);
	/* the next answer does not fit */
	CHECK_EQ(rfl_neg_answer(kv.def, &kv, NULL, false, &tb, &res),
		 RFL_TEXT_E_TOO_BIG);
	CHECK_EQ(tb.len, 21);
	/* pairs built by hand, not by the parser */
	rfl_tb_init(&tb, buf, sizeof(buf));
	kv.key_len = 200;
	CHECK_EQ(rfl_neg_answer(NULL, &kv, NULL, false, &tb, &res),
		 RFL_TEXT_E_KEY_LONG);
	one("MaxBurstLength=4096", &kv, NULL);
	kv.special = 9;
	CHECK_EQ(rfl_neg_check(kv.def, "8192", &kv, &res), RFL_TEXT_E_INVAL);
}

/* The originator's check of an answer. */
static int chk(unsigned int id, const char *offered, const char *text,
	       struct rfl_neg_value *res)
{
	struct rfl_kv kv;

	one(text, &kv, NULL);
	return rfl_neg_check(key(id), offered, &kv, res);
}

static void t_check_answers(void)
{
	struct rfl_neg_value r;

	CHECK_EQ(chk(RFL_KEY_MAX_BURST_LENGTH, "65536",
		     "MaxBurstLength=4096", &r), 0);
	CHECK(r.outcome == RFL_NEG_AGREED && r.num == 4096);
	CHECK_EQ(chk(RFL_KEY_MAX_BURST_LENGTH, "65536",
		     "MaxBurstLength=65536", &r), 0);
	CHECK_EQ(chk(RFL_KEY_MAX_BURST_LENGTH, "65536",
		     "MaxBurstLength=65537", &r), RFL_TEXT_E_ANSWER);
	CHECK_EQ(chk(RFL_KEY_MAX_BURST_LENGTH, "65536",
		     "MaxBurstLength=100", &r), RFL_TEXT_E_RANGE);
	CHECK_EQ(chk(RFL_KEY_MAX_BURST_LENGTH, "65536",
		     "MaxBurstLength=big", &r), RFL_TEXT_E_VALUE_SYNTAX);
	CHECK_EQ(chk(RFL_KEY_DEFAULT_TIME2WAIT, "5",
		     "DefaultTime2Wait=4", &r), RFL_TEXT_E_ANSWER);
	CHECK_EQ(chk(RFL_KEY_DEFAULT_TIME2WAIT, "5",
		     "DefaultTime2Wait=6", &r), 0);
	CHECK_EQ(r.num, 6);
	CHECK_EQ(chk(RFL_KEY_IMMEDIATE_DATA, "No", "ImmediateData=Yes", &r),
		 RFL_TEXT_E_ANSWER);
	CHECK_EQ(chk(RFL_KEY_IMMEDIATE_DATA, "Yes", "ImmediateData=No", &r),
		 0);
	CHECK_EQ(r.num, 0);
	CHECK_EQ(chk(RFL_KEY_INITIAL_R2T, "Yes", "InitialR2T=No", &r),
		 RFL_TEXT_E_ANSWER);
	CHECK_EQ(chk(RFL_KEY_INITIAL_R2T, "No", "InitialR2T=Yes", &r), 0);
	CHECK_EQ(r.num, 1);
	CHECK_EQ(chk(RFL_KEY_HEADER_DIGEST, "CRC32C,None",
		     "HeaderDigest=None", &r), 0);
	CHECK(r.len == 4 && !memcmp(r.str, "None", 4));
	CHECK_EQ(chk(RFL_KEY_HEADER_DIGEST, "None", "HeaderDigest=CRC32C",
		     &r), RFL_TEXT_E_ANSWER);
	CHECK_EQ(chk(RFL_KEY_HEADER_DIGEST, "CRC32C,None",
		     "HeaderDigest=CRC32C,None", &r), RFL_TEXT_E_ANSWER);
	CHECK_EQ(chk(RFL_KEY_HEADER_DIGEST, "CRC32C,None",
		     "HeaderDigest=CRC32", &r), RFL_TEXT_E_ANSWER);
	CHECK_EQ(chk(RFL_KEY_MAX_BURST_LENGTH, "65536",
		     "MaxBurstLength=Reject", &r), 0);
	CHECK_EQ(r.outcome, RFL_NEG_REJECTED);
	CHECK_EQ(chk(RFL_KEY_MAX_BURST_LENGTH, "65536",
		     "MaxBurstLength=Irrelevant", &r), 0);
	CHECK_EQ(r.outcome, RFL_NEG_IRRELEVANT);
	CHECK_EQ(chk(RFL_KEY_IMMEDIATE_DATA, "Yes",
		     "ImmediateData=NotUnderstood", &r), 0);
	CHECK_EQ(r.outcome, RFL_NEG_NOT_UNDERSTOOD);
	CHECK_EQ(chk(RFL_KEY_MAX_RECV_DSL, "8192",
		     "MaxRecvDataSegmentLength=262144", &r), 0);
	CHECK(r.outcome == RFL_NEG_DECLARED && r.num == 262144);
	CHECK_EQ(chk(RFL_KEY_IMMEDIATE_DATA, "Perhaps", "ImmediateData=No",
		     &r), RFL_TEXT_E_INVAL);
	CHECK_EQ(chk(RFL_KEY_IF_MARKER, "No", "IFMarker=No", &r),
		 RFL_TEXT_E_INVAL);
}

/* The reflection extension: a registered Boolean X- key. */
static const struct rfl_key vendor_keys[] = {
	{ .name = "X-org.example.Reflection", .id = RFL_KEY_VENDOR,
	  .neg = RFL_NEG_AND, .vtype = RFL_VT_BOOL,
	  .flags = RFL_KF_FROM_I | RFL_KF_FROM_T | RFL_KF_LO | RFL_KF_IO,
	  .max_len = RFL_VALUE_MAX, .max = 1, .dflt = 0, .dflt_str = "No" },
};
static const struct rfl_keyset vendor_ks = { vendor_keys, 1 };

static void t_vendor_keys(void)
{
	const char *const own_yes[] = { "Yes" };
	char buf[128];
	struct rfl_text_buf tb;
	struct rfl_neg_ctx ctx;
	struct rfl_kv kv[2];
	unsigned int n;
	static const char offer[] = "X-org.example.Reflection=Yes\0"
				    "X-org.example.Other=Yes\0";

	CHECK(rfl_key_find(&vendor_ks, "X-org.example.Reflection", 24) ==
	      &vendor_keys[0]);
	CHECK_EQ(rfl_text_parse(offer, sizeof(offer) - 1, &vendor_ks, 0, kv,
				2, &n), 0);
	CHECK(kv[0].def == &vendor_keys[0] && kv[1].def == NULL);

	memset(&ctx, 0, sizeof(ctx));
	rfl_params_init(&ctx.params);
	ctx.ks = &vendor_ks;
	ctx.is_target = true;
	ctx.phase = RFL_PHASE_OPERATIONAL;
	ctx.vendor_own = own_yes;
	rfl_tb_init(&tb, buf, sizeof(buf));
	CHECK_EQ(rfl_neg_respond(&ctx, kv, n, &tb), 0);
	CHECK_MEM(tb.buf, tb.len, "X-org.example.Reflection=Yes\0"
		  "X-org.example.Other=NotUnderstood\0");
	/* without our own value the default (No) applies */
	ctx.vendor_own = NULL;
	rfl_tb_init(&tb, buf, sizeof(buf));
	CHECK_EQ(rfl_neg_respond(&ctx, kv, n, &tb), 0);
	CHECK_MEM(tb.buf, tb.len, "X-org.example.Reflection=No\0"
		  "X-org.example.Other=NotUnderstood\0");
	/* a stock peer: the same key is not understood */
	CHECK_EQ(rfl_text_parse(offer, sizeof(offer) - 1, NULL, 0, kv, 2, &n),
		 0);
	CHECK(kv[0].def == NULL);
}

static int respond(struct rfl_neg_ctx *ctx, const char *text, u32 len,
		   struct rfl_text_buf *tb)
{
	static struct rfl_kv kvs[32];
	unsigned int n;
	int err;

	err = rfl_text_parse(text, len, ctx->ks, 0, kvs, 32, &n);
	return err ? err : rfl_neg_respond(ctx, kvs, n, tb);
}

static void target_ctx(struct rfl_neg_ctx *ctx, unsigned int phase)
{
	memset(ctx, 0, sizeof(*ctx));
	rfl_params_init(&ctx->params);
	ctx->is_target = true;
	ctx->phase = phase;
}

#define T(s) s, sizeof(s) - 1

static void t_respond_login(void)
{
	char buf[512];
	struct rfl_text_buf tb;
	struct rfl_neg_ctx ctx;

	target_ctx(&ctx, RFL_PHASE_OPERATIONAL);
	ctx.own[RFL_KEY_DATA_DIGEST] = "CRC32C,None";
	ctx.own[RFL_KEY_MAX_RECV_DSL] = "262144";
	rfl_tb_init(&tb, buf, sizeof(buf));
	CHECK_EQ(respond(&ctx, T("HeaderDigest=None\0DataDigest=CRC32C\0"
				 "MaxRecvDataSegmentLength=65536\0"
				 "FirstBurstLength=262144\0"
				 "MaxBurstLength=1048576\0InitialR2T=No\0"
				 "ErrorRecoveryLevel=0\0"), &tb), 0);
	CHECK_MEM(tb.buf, tb.len, "HeaderDigest=None\0DataDigest=CRC32C\0"
		  "FirstBurstLength=65536\0MaxBurstLength=262144\0"
		  "InitialR2T=Yes\0ErrorRecoveryLevel=0\0");
	CHECK(!ctx.params.header_digest && ctx.params.data_digest);
	CHECK_EQ(ctx.params.max_xmit_dsl, 65536);
	CHECK_EQ(ctx.params.max_recv_dsl, 8192);
	CHECK_EQ(ctx.params.first_burst, 65536);
	CHECK_EQ(ctx.params.max_burst, 262144);
	CHECK(ctx.params.initial_r2t);

	/* keys the initiator may not send, or not now */
	target_ctx(&ctx, RFL_PHASE_OPERATIONAL);
	rfl_tb_init(&tb, buf, sizeof(buf));
	CHECK_EQ(respond(&ctx, T("TargetPortalGroupTag=1\0"), &tb),
		 RFL_TEXT_E_SENDER);
	CHECK_EQ(respond(&ctx, T("CHAP_N=user\0"), &tb), RFL_TEXT_E_PHASE);
	CHECK_EQ(respond(&ctx, T("SendTargets=All\0"), &tb),
		 RFL_TEXT_E_PHASE);
	target_ctx(&ctx, RFL_PHASE_FFP);
	CHECK_EQ(respond(&ctx, T("SendTargets=All\0"), &tb), 0);
	CHECK_EQ(respond(&ctx, T("ImmediateData=No\0"), &tb),
		 RFL_TEXT_E_PHASE);
	/* a duplicate fails the parse */
	target_ctx(&ctx, RFL_PHASE_OPERATIONAL);
	CHECK_EQ(respond(&ctx, T("InitialR2T=No\0InitialR2T=Yes\0"), &tb),
		 RFL_TEXT_E_DUPLICATE);
	/* offers that leave FirstBurstLength above MaxBurstLength */
	target_ctx(&ctx, RFL_PHASE_OPERATIONAL);
	rfl_tb_init(&tb, buf, sizeof(buf));
	CHECK_EQ(respond(&ctx, T("FirstBurstLength=65536\0"
				 "MaxBurstLength=4096\0"), &tb),
		 RFL_TEXT_E_RANGE);
	/* the initiator side answers keys the target offers */
	target_ctx(&ctx, RFL_PHASE_OPERATIONAL);
	ctx.is_target = false;
	rfl_tb_init(&tb, buf, sizeof(buf));
	CHECK_EQ(respond(&ctx, T("TargetPortalGroupTag=1\0"
				 "MaxRecvDataSegmentLength=16384\0"
				 "TargetAlias=disk\0"), &tb), 0);
	CHECK_EQ(tb.len, 0);
	CHECK_EQ(ctx.params.max_xmit_dsl, 16384);
	CHECK_EQ(respond(&ctx, T("InitiatorName=iqn.a.b:c\0"), &tb),
		 RFL_TEXT_E_SENDER);
}

static void t_respond_discovery(void)
{
	char buf[256];
	struct rfl_text_buf tb;
	struct rfl_neg_ctx ctx;

	/* SessionType may come last and still applies to earlier keys */
	target_ctx(&ctx, RFL_PHASE_OPERATIONAL);
	rfl_tb_init(&tb, buf, sizeof(buf));
	CHECK_EQ(respond(&ctx, T("MaxBurstLength=4096\0HeaderDigest=None\0"
				 "FirstBurstLength=65536\0"
				 "SessionType=Discovery\0"), &tb), 0);
	CHECK_MEM(tb.buf, tb.len, "MaxBurstLength=Irrelevant\0"
		  "HeaderDigest=None\0FirstBurstLength=Irrelevant\0");
	CHECK(ctx.params.discovery);
	CHECK_EQ(ctx.params.max_burst, 262144);
}

static void t_params(void)
{
	struct rfl_params p;
	struct rfl_neg_value v = { .num = 4096 };

	rfl_params_init(&p);
	CHECK(p.max_recv_dsl == 8192 && p.max_xmit_dsl == 8192);
	CHECK(p.max_burst == 262144 && p.first_burst == 65536);
	CHECK(p.initial_r2t && p.immediate_data && !p.header_digest);
	CHECK(p.time2wait == 2 && p.time2retain == 20 && p.erl == 0);
	CHECK_EQ(rfl_params_check(&p), 0);
	CHECK_EQ(rfl_params_set(&p, key(RFL_KEY_MAX_RECV_DSL), &v, false), 0);
	CHECK(p.max_recv_dsl == 4096 && p.max_xmit_dsl == 8192);
	CHECK_EQ(rfl_params_set(&p, key(RFL_KEY_MAX_RECV_DSL), &v, true), 0);
	CHECK_EQ(p.max_xmit_dsl, 4096);
	v.num = 100;
	CHECK_EQ(rfl_params_set(&p, key(RFL_KEY_MAX_RECV_DSL), &v, true),
		 RFL_TEXT_E_RANGE);
	CHECK_EQ(p.max_xmit_dsl, 4096);
	v.num = 4096;
	CHECK_EQ(rfl_params_set(&p, key(RFL_KEY_MAX_BURST_LENGTH), &v, 0), 0);
	CHECK_EQ(rfl_params_check(&p), RFL_TEXT_E_RANGE);
	v.str = "CRC32C";
	v.len = 6;
	CHECK_EQ(rfl_params_set(&p, key(RFL_KEY_HEADER_DIGEST), &v, 0), 0);
	CHECK(p.header_digest);
	v.str = "None";
	v.len = 4;
	CHECK_EQ(rfl_params_set(&p, key(RFL_KEY_HEADER_DIGEST), &v, 0), 0);
	CHECK(!p.header_digest);
}

const struct unit_test neg_tests[] = {
	{ "key table: names, order, defaults", t_table },
	{ "who may send a key, and when", t_key_use },
	{ "Boolean AND and OR", t_bool_functions },
	{ "numerical minimum and maximum, ranges", t_num_functions },
	{ "list selection follows the offer's order", t_list_function },
	{ "answers for every kind of key", t_answer_each_kind },
	{ "out-of-range and malformed offers are rejected",
	  t_answer_bad_offers },
	{ "Irrelevant in a discovery session", t_answer_discovery },
	{ "bad own values and a full builder", t_answer_errors },
	{ "checking answers to our offers", t_check_answers },
	{ "registered X- keys; others not understood", t_vendor_keys },
	{ "a target answers a login segment", t_respond_login },
	{ "discovery session answers", t_respond_discovery },
	{ "session parameters", t_params },
};
const unsigned int neg_ntests = UNIT_COUNT(neg_tests);
