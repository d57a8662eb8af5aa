// SPDX-License-Identifier: GPL-2.0
/*
 * Security negotiation stage of a login: AuthMethod None or CHAP (RFC 7143
 * section 12.1.3, RFC 1994), one-way or mutual, with the CHAP_A numbers
 * 7 (SHA-256) and 5 (MD5) as open-iscsi and LIO use them; 7 is chosen
 * whenever the initiator offers it.
 *
 * Where the secrets come from (as LIO's iscsi fabric):
 *   normal session, explicit ACL     acls/<initiator IQN>/auth/
 *   normal session, demo mode ACL    tpgt_N/auth/
 *   discovery session                reflect/discovery_auth/
 * attrib/authentication=1 (enforce_discovery_auth=1 for discovery) makes
 * CHAP mandatory; otherwise CHAP is offered next to None when a user name
 * and secret are configured, and None is all that is offered when not.
 *
 * Everything here runs in the connection's io_work (process context)
 * while the login is in the security stage; the credentials are copied
 * under rfl_cfg_mutex when the login starts and wiped when it ends.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <linux/configfs.h>
#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "rfl_tgt.h"

/* CHAP_A values we accept, in order of preference, and their digests. */
static const struct {
	u8 id;
	const char *name;	/* CHAP_A value as text */
	const char *alg;	/* crypto API name */
	u8 len;			/* digest and challenge bytes */
} rfl_chap_algs[] = {
	{ 7, "7", "sha256", 32 },
	{ 5, "5", "md5", 16 },
};

#define RFL_CHAP_DIGEST_MAX	32

enum rfl_auth_state {
	RFL_AUTH_START,		/* AuthMethod not agreed yet */
	RFL_AUTH_NONE,		/* AuthMethod=None agreed: done */
	RFL_AUTH_WAIT_A,	/* CHAP agreed: CHAP_A expected */
	RFL_AUTH_WAIT_R,	/* challenge sent: CHAP_N, CHAP_R expected */
	RFL_AUTH_DONE,		/* CHAP succeeded */
};

/* The discovery_auth group of the fabric; under rfl_cfg_mutex. */
static struct {
	u32 enforce;
	struct rfl_auth auth;
} rfl_disc_auth;

struct rfl_auth_ctx {
	enum rfl_auth_state state;
	bool required;		/* None is not acceptable */
	bool have_chap;		/* userid and password configured */
	unsigned int alg;	/* index in rfl_chap_algs */
	u8 id;			/* our CHAP_I */
	u8 challenge[RFL_CHAP_DIGEST_MAX];
	struct rfl_auth cred;	/* copy of the configured credentials */
};

/* Load the digests once, outside any login's timer. */
void rfl_auth_init(void)
{
	struct crypto_shash *tfm;
	unsigned int a;

	for (a = 0; a < ARRAY_SIZE(rfl_chap_algs); a++) {
		tfm = crypto_alloc_shash(rfl_chap_algs[a].alg, 0, 0);
		if (IS_ERR(tfm))
			pr_warn("CHAP: no %s digest (%ld): CHAP_A=%u refused\n",
				rfl_chap_algs[a].alg, PTR_ERR(tfm),
				rfl_chap_algs[a].id);
		else
			crypto_free_shash(tfm);
	}
}

void rfl_auth_free(struct rfl_conn *conn)
{
	kfree_sensitive(conn->auth);
	conn->auth = NULL;
}

/* H(identifier || secret || challenge) with the negotiated digest. */
static int rfl_chap_hash(unsigned int alg, u8 id, const char *secret,
			 const u8 *chal, u32 chal_len, u8 *out)
{
	struct crypto_shash *tfm;
	int ret;

	tfm = crypto_alloc_shash(rfl_chap_algs[alg].alg, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	{
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		ret = crypto_shash_init(desc);
		if (!ret)
			ret = crypto_shash_update(desc, &id, 1);
		if (!ret)
			ret = crypto_shash_update(desc, secret, strlen(secret));
		if (!ret)
			ret = crypto_shash_update(desc, chal, chal_len);
		if (!ret)
			ret = crypto_shash_final(desc, out);
		shash_desc_zero(desc);
	}
	crypto_free_shash(tfm);
	return ret;
}

/* Does the comma-separated value of @kv contain @s? */
static bool rfl_auth_list_has(const struct rfl_kv *kv, const char *s)
{
	u32 i = 0, j, n = strlen(s);

	while (kv && i < kv->value_len) {
		for (j = i; j < kv->value_len && kv->value[j] != ','; j++)
			;
		if (j - i == n && !memcmp(kv->value + i, s, n))
			return true;
		i = j + 1;
	}
	return false;
}

/**
 * rfl_auth_start() - what the security stage of this login requires
 * @conn: the connection; iname, discovery and tpg are known
 * @st: the status to refuse the login with, on error
 *
 * Copies the credentials that apply and sets our AuthMethod offer.
 *
 * Return: 0 or -ENOMEM.
 */
int rfl_auth_start(struct rfl_conn *conn, struct rfl_login_status *st)
{
	struct rfl_tpg *tpg = conn->tpg;
	struct se_node_acl *se_nacl = NULL;
	struct rfl_auth_ctx *a;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a) {
		st->cls = ISCSI_STATUS_CLS_TARGET_ERR;
		st->detail = ISCSI_LOGIN_STATUS_NO_RESOURCES;
		st->why = "out of memory";
		return -ENOMEM;
	}
	if (!conn->discovery)
		se_nacl = core_tpg_get_initiator_node_acl(&tpg->se_tpg,
							  conn->iname);
	mutex_lock(&rfl_cfg_mutex);
	if (conn->discovery) {
		a->required = rfl_disc_auth.enforce;
		a->cred = rfl_disc_auth.auth;
	} else {
		a->required = tpg->attrib.authentication;
		if (se_nacl && !se_nacl->dynamic_node_acl)
			a->cred = container_of(se_nacl, struct rfl_nacl,
					       se_nacl)->auth;
		else if (tpg->attrib.generate_node_acls)
			a->cred = tpg->auth;
	}
	mutex_unlock(&rfl_cfg_mutex);
	if (se_nacl)
		target_put_nacl(se_nacl);
	a->have_chap = a->cred.userid[0] && a->cred.password[0];
	conn->auth = a;
	if (a->required)
		conn->neg.own[RFL_KEY_AUTH_METHOD] = "CHAP";
	else if (a->have_chap)
		conn->neg.own[RFL_KEY_AUTH_METHOD] = "CHAP,None";
	else
		conn->neg.own[RFL_KEY_AUTH_METHOD] = "None";
	return 0;
}

/* May the login leave the security stage (or skip it)? */
bool rfl_auth_done(struct rfl_conn *conn)
{
	struct rfl_auth_ctx *a = conn->auth;

	if (!a)
		return false;
	switch (a->state) {
	case RFL_AUTH_START:
		return !a->required;
	case RFL_AUTH_NONE:
	case RFL_AUTH_DONE:
		return true;
	default:
		return false;
	}
}

static int rfl_auth_fail(struct rfl_login_status *st, const char *why)
{
	st->cls = ISCSI_STATUS_CLS_INITIATOR_ERR;
	st->detail = ISCSI_LOGIN_STATUS_AUTH_FAILED;
	st->why = why;
	return -EACCES;
}

static const struct rfl_kv *rfl_chap_key(const struct rfl_kv *kvs,
					 unsigned int n, const char *key)
{
	const struct rfl_kv *kv = rfl_text_find(kvs, n, key);

	return kv && kv->special == RFL_SV_PLAIN ? kv : NULL;
}

/* AuthMethod offered: take the initiator's first choice that we allow. */
static int rfl_auth_method(struct rfl_auth_ctx *a, const struct rfl_kv *am,
			   struct rfl_login_status *st)
{
	bool chap_ok = a->have_chap, none_ok = !a->required;
	u32 i = 0, j;

	if (a->state != RFL_AUTH_START)
		return rfl_auth_fail(st, "AuthMethod offered twice");
	while (am->special == RFL_SV_PLAIN && i < am->value_len) {
		for (j = i; j < am->value_len && am->value[j] != ','; j++)
			;
		if (chap_ok && j - i == 4 && !memcmp(am->value + i, "CHAP", 4)) {
			a->state = RFL_AUTH_WAIT_A;
			return 0;
		}
		if (none_ok && j - i == 4 && !memcmp(am->value + i, "None", 4)) {
			a->state = RFL_AUTH_NONE;
			return 0;
		}
		i = j + 1;
	}
	if (a->required && !a->have_chap)
		return rfl_auth_fail(st, "CHAP required, no userid/password for this initiator");
	if (a->required)
		return rfl_auth_fail(st, "CHAP required, the initiator does not offer it");
	/* Answered Reject by the negotiation; None stays the default. */
	return 0;
}

/* CHAP_A received: choose the digest and send our challenge. */
static int rfl_chap_a(struct rfl_auth_ctx *a, const struct rfl_kv *ka,
		      struct rfl_text_buf *tb, struct rfl_login_status *st)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rfl_chap_algs); i++)
		if (rfl_auth_list_has(ka, rfl_chap_algs[i].name))
			break;
	if (i == ARRAY_SIZE(rfl_chap_algs))
		return rfl_auth_fail(st, "CHAP: no CHAP_A offered is SHA-256 (7) or MD5 (5)");
	a->alg = i;
	get_random_bytes(&a->id, sizeof(a->id));
	get_random_bytes(a->challenge, rfl_chap_algs[i].len);
	rfl_tb_add(tb, "CHAP_A", rfl_chap_algs[i].name);
	rfl_tb_add_num(tb, "CHAP_I", a->id);
	rfl_tb_add_bin(tb, "CHAP_C", a->challenge, rfl_chap_algs[i].len,
		       false);
	a->state = RFL_AUTH_WAIT_R;
	return 0;
}

/* The initiator's challenge for mutual CHAP: answer it. */
static int rfl_chap_mutual(struct rfl_auth_ctx *a, const struct rfl_kv *ki,
			   const struct rfl_kv *kc, u8 *buf,
			   struct rfl_text_buf *tb,
			   struct rfl_login_status *st)
{
	unsigned int len = rfl_chap_algs[a->alg].len;
	u8 digest[RFL_CHAP_DIGEST_MAX];
	u32 clen;
	u64 mid;
	int ret;

	if (!ki || !kc)
		return rfl_auth_fail(st, "mutual CHAP: CHAP_I without CHAP_C or the reverse");
	if (!a->cred.userid_mutual[0] || !a->cred.password_mutual[0])
		return rfl_auth_fail(st, "mutual CHAP asked for, no userid_mutual set");
	if (rfl_num_decode(ki->value, ki->value_len, &mid) || mid > 255)
		return rfl_auth_fail(st, "mutual CHAP: bad CHAP_I");
	if (rfl_bin_decode(kc->value, kc->value_len, buf, RFL_CHAP_BIN_MAX,
			   &clen) || !clen)
		return rfl_auth_fail(st, "mutual CHAP: bad CHAP_C");
	/* Our own challenge sent back would make us answer it for them. */
	if (mid == a->id)
		return rfl_auth_fail(st, "mutual CHAP: the initiator's CHAP_I is ours reflected");
	if (clen == len && !crypto_memneq(buf, a->challenge, len))
		return rfl_auth_fail(st, "mutual CHAP: the initiator's CHAP_C is ours reflected");
	ret = rfl_chap_hash(a->alg, mid, a->cred.password_mutual, buf, clen,
			    digest);
	if (ret) {
		st->cls = ISCSI_STATUS_CLS_TARGET_ERR;
		st->detail = ISCSI_LOGIN_STATUS_TARGET_ERROR;
		st->why = "mutual CHAP: digest failed";
		return ret;
	}
	rfl_tb_add(tb, "CHAP_N", a->cred.userid_mutual);
	rfl_tb_add_bin(tb, "CHAP_R", digest, len, false);
	memzero_explicit(digest, sizeof(digest));
	return 0;
}

/* CHAP_N and CHAP_R received: check them, and answer a mutual challenge. */
static int rfl_chap_r(struct rfl_conn *conn, struct rfl_auth_ctx *a,
		      const struct rfl_kv *kvs, unsigned int n,
		      struct rfl_text_buf *tb, struct rfl_login_status *st)
{
	const struct rfl_kv *kn = rfl_chap_key(kvs, n, "CHAP_N");
	const struct rfl_kv *kr = rfl_chap_key(kvs, n, "CHAP_R");
	const struct rfl_kv *ki = rfl_chap_key(kvs, n, "CHAP_I");
	const struct rfl_kv *kc = rfl_chap_key(kvs, n, "CHAP_C");
	unsigned int len = rfl_chap_algs[a->alg].len;
	u8 digest[RFL_CHAP_DIGEST_MAX];
	bool bad_name, bad_resp;
	u8 *buf;
	u32 rlen;
	int ret;

	if (!kn || !kr)
		return rfl_auth_fail(st, "CHAP: CHAP_N and CHAP_R expected");
	buf = kmalloc(RFL_CHAP_BIN_MAX, GFP_KERNEL);
	if (!buf) {
		st->cls = ISCSI_STATUS_CLS_TARGET_ERR;
		st->detail = ISCSI_LOGIN_STATUS_NO_RESOURCES;
		st->why = "out of memory";
		return -ENOMEM;
	}
	ret = rfl_chap_hash(a->alg, a->id, a->cred.password, a->challenge,
			    len, digest);
	if (ret) {
		st->cls = ISCSI_STATUS_CLS_TARGET_ERR;
		st->detail = ISCSI_LOGIN_STATUS_TARGET_ERROR;
		st->why = "CHAP: digest failed";
		goto out;
	}
	bad_name = strcmp(kn->value, a->cred.userid);
	bad_resp = rfl_bin_decode(kr->value, kr->value_len, buf,
				  RFL_CHAP_BIN_MAX, &rlen) || rlen != len ||
		   crypto_memneq(buf, digest, len);
	memzero_explicit(digest, sizeof(digest));
	if (bad_name) {
		ret = rfl_auth_fail(st, "CHAP: unknown user name (CHAP_N)");
		goto out;
	}
	if (bad_resp) {
		ret = rfl_auth_fail(st, "CHAP: wrong response (secret mismatch)");
		goto out;
	}
	if (ki || kc) {
		ret = rfl_chap_mutual(a, ki, kc, buf, tb, st);
		if (ret)
			goto out;
	}
	a->state = RFL_AUTH_DONE;
	pr_info("%s (%pISpc) authenticated with CHAP %s%s\n", conn->iname,
		&conn->peer, rfl_chap_algs[a->alg].alg,
		ki ? ", mutual" : "");
out:
	kfree_sensitive(buf);
	return ret;
}

static bool rfl_is_chap_key(const struct rfl_kv *kv)
{
	return kv->key_len > 5 && !memcmp(kv->key, "CHAP_", 5);
}

/**
 * rfl_auth_rx() - the security keys of one Login Request
 * @conn: the connection, in the security stage
 * @kvs: the request's keys
 * @n: how many
 * @tb: the response text, where CHAP keys are added
 * @st: the status to refuse the login with, on error
 *
 * AuthMethod itself is answered by the negotiation code with the offer
 * rfl_auth_start() set; this follows the choice and runs CHAP.
 *
 * Return: 0, or < 0 with @st set: the login is refused.
 */
int rfl_auth_rx(struct rfl_conn *conn, const struct rfl_kv *kvs,
		unsigned int n, struct rfl_text_buf *tb,
		struct rfl_login_status *st)
{
	struct rfl_auth_ctx *a = conn->auth;
	const struct rfl_kv *am = rfl_text_find(kvs, n, "AuthMethod");
	const struct rfl_kv *ka;
	bool chap_keys = false;
	unsigned int i;
	int ret;

	if (!a)
		return rfl_auth_fail(st, "no authentication context");
	for (i = 0; i < n; i++)
		if (rfl_is_chap_key(&kvs[i]))
			chap_keys = true;
	if (am) {
		ret = rfl_auth_method(a, am, st);
		if (ret)
			return ret;
		if (chap_keys)
			return rfl_auth_fail(st, "CHAP keys sent with AuthMethod");
		return 0;
	}
	switch (a->state) {
	case RFL_AUTH_WAIT_A:
		ka = rfl_chap_key(kvs, n, "CHAP_A");
		if (!ka)
			return rfl_auth_fail(st, "CHAP: CHAP_A expected");
		return rfl_chap_a(a, ka, tb, st);
	case RFL_AUTH_WAIT_R:
		return rfl_chap_r(conn, a, kvs, n, tb, st);
	default:
		if (chap_keys)
			return rfl_auth_fail(st, "CHAP keys outside a CHAP exchange");
		return 0;
	}
}

/**
 * rfl_auth_strip() - drop the CHAP keys from a request's keys
 * @kvs: the keys, compacted in place
 * @n: how many
 *
 * rfl_auth_rx() answers them; the generic negotiation would only defer
 * them, and it refuses CHAP_I from an initiator although mutual CHAP
 * sends it (RFC 7143 section 12.1.3).
 *
 * Return: the number of keys left.
 */
unsigned int rfl_auth_strip(struct rfl_kv *kvs, unsigned int n)
{
	unsigned int i, m = 0;

	for (i = 0; i < n; i++)
		if (!rfl_is_chap_key(&kvs[i]))
			kvs[m++] = kvs[i];
	return m;
}

/* ----------------------------------------------- configfs discovery_auth */

static ssize_t rfl_disc_str_show(char *page, const char *s)
{
	ssize_t ret;

	mutex_lock(&rfl_cfg_mutex);
	ret = sprintf(page, "%s\n", s);
	mutex_unlock(&rfl_cfg_mutex);
	return ret;
}

static ssize_t rfl_disc_str_store(char *dst, const char *page, size_t count)
{
	size_t len = count;

	if (count >= sizeof(rfl_disc_auth.auth.userid))
		return -EINVAL;
	while (len && isspace(page[len - 1]))
		len--;
	mutex_lock(&rfl_cfg_mutex);
	memcpy(dst, page, len);
	dst[len] = '\0';
	mutex_unlock(&rfl_cfg_mutex);
	return count;
}

/* One string of discovery_auth/: a field of struct rfl_auth. */
#define RFL_DISC_STR(name)						\
enum { rfl_disc_off_##name = offsetof(struct rfl_auth, name) };		\
static ssize_t rfl_disc_##name##_show(struct config_item *item,	\
				      char *page)			\
{									\
	return rfl_disc_str_show(page, (char *)&rfl_disc_auth.auth +	\
				 rfl_disc_off_##name);			\
}									\
static ssize_t rfl_disc_##name##_store(struct config_item *item,	\
				       const char *page, size_t count)	\
{									\
	return rfl_disc_str_store((char *)&rfl_disc_auth.auth +		\
				  rfl_disc_off_##name, page, count);	\
}									\
static struct configfs_attribute rfl_disc_attr_##name = {		\
	.ca_name = __stringify(name),					\
	.ca_owner = THIS_MODULE,					\
	.ca_mode = 0644,						\
	.show = rfl_disc_##name##_show,					\
	.store = rfl_disc_##name##_store,				\
}

RFL_DISC_STR(userid);
RFL_DISC_STR(password);
RFL_DISC_STR(userid_mutual);
RFL_DISC_STR(password_mutual);

static ssize_t rfl_disc_enforce_discovery_auth_show(struct config_item *item,
						    char *page)
{
	return sprintf(page, "%u\n", READ_ONCE(rfl_disc_auth.enforce));
}

static ssize_t rfl_disc_enforce_discovery_auth_store(struct config_item *item,
						     const char *page,
						     size_t count)
{
	u32 v;
	int ret = kstrtou32(page, 0, &v);

	if (ret)
		return ret;
	if (v > 1)
		return -EINVAL;
	mutex_lock(&rfl_cfg_mutex);
	rfl_disc_auth.enforce = v;
	mutex_unlock(&rfl_cfg_mutex);
	return count;
}

CONFIGFS_ATTR(rfl_disc_, enforce_discovery_auth);

struct configfs_attribute *rfl_discovery_attrs[] = {
	&rfl_disc_attr_enforce_discovery_auth,
	&rfl_disc_attr_userid,
	&rfl_disc_attr_password,
	&rfl_disc_attr_userid_mutual,
	&rfl_disc_attr_password_mutual,
	NULL,
};
