// SPDX-License-Identifier: GPL-2.0
/*
 * configfs: /sys/kernel/config/reflect_initiator/
 *
 *   initiator_name            our iSCSI name (the tools write it from
 *                             /etc/iscsi/initiatorname.iscsi)
 *   targets/<name>/           one object per target: what to log into,
 *                             the values to offer, enable, and read-only
 *                             state, negotiated values and statistics
 *   discovery/<name>/         one object per discovery portal: a
 *                             SendTargets discovery on demand and the
 *                             targets it found
 *
 * The root is named after the module, as LIO's fabrics are named after
 * theirs, so that a module and its configuration are found by one name.
 * Documentation/initiator.rst describes every attribute.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/inet.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "rfl_ini.h"

/* Guards rfl_ini_tgts, the list of configfs target objects. */
static DEFINE_MUTEX(rfl_ini_tgts_mutex);
static LIST_HEAD(rfl_ini_tgts);

/* Guards initiator_name. */
static DEFINE_MUTEX(rfl_ini_name_mutex);
static char rfl_ini_name[RFL_NAME_MAX + 1];

/**
 * rfl_ini_initiator_name() - a copy of the configured initiator name.
 * @buf: destination
 * @len: its size
 *
 * Return: @buf, an empty string when no name is configured.
 */
const char *rfl_ini_initiator_name(char *buf, size_t len)
{
	mutex_lock(&rfl_ini_name_mutex);
	strscpy(buf, rfl_ini_name, len);
	mutex_unlock(&rfl_ini_name_mutex);
	return buf;
}

/* A written value without its trailing newline; -EINVAL when too long. */
static int rfl_ini_copy_str(char *dst, size_t cap, const char *page,
			    size_t count)
{
	size_t len = strnlen(page, count);

	while (len && isspace(page[len - 1]))
		len--;
	if (len >= cap)
		return -EINVAL;
	memcpy(dst, page, len);
	dst[len] = '\0';
	return 0;
}

static ssize_t rfl_ini_root_initiator_name_show(struct config_item *item,
						char *page)
{
	char name[RFL_NAME_MAX + 1];

	return sysfs_emit(page, "%s\n",
			  rfl_ini_initiator_name(name, sizeof(name)));
}

static ssize_t rfl_ini_root_initiator_name_store(struct config_item *item,
						 const char *page,
						 size_t count)
{
	char name[RFL_NAME_MAX + 1];
	int ret;

	ret = rfl_ini_copy_str(name, sizeof(name), page, count);
	if (ret)
		return ret;
	if (*name && rfl_value_check(rfl_key_get(RFL_KEY_INITIATOR_NAME),
				     name, strlen(name)))
		return -EINVAL;
	mutex_lock(&rfl_ini_name_mutex);
	strscpy(rfl_ini_name, name, sizeof(rfl_ini_name));
	mutex_unlock(&rfl_ini_name_mutex);
	return count;
}

CONFIGFS_ATTR(rfl_ini_root_, initiator_name);

static struct configfs_attribute *rfl_ini_root_attrs[] = {
	&rfl_ini_root_attr_initiator_name,
	NULL,
};

/* ------------------------------------------------------ target objects */

static struct rfl_ini_tgt *to_tgt(struct config_item *item)
{
	return container_of(to_config_group(item), struct rfl_ini_tgt, group);
}

static ssize_t rfl_ini_tgt_target_iqn_show(struct config_item *item,
					   char *page)
{
	struct rfl_ini_tgt *tgt = to_tgt(item);
	ssize_t ret;

	mutex_lock(&tgt->mutex);
	ret = sysfs_emit(page, "%s\n", tgt->cfg.target_iqn);
	mutex_unlock(&tgt->mutex);
	return ret;
}

static ssize_t rfl_ini_tgt_target_iqn_store(struct config_item *item,
					    const char *page, size_t count)
{
	struct rfl_ini_tgt *tgt = to_tgt(item);
	char name[RFL_NAME_MAX + 1];
	int ret;

	ret = rfl_ini_copy_str(name, sizeof(name), page, count);
	if (ret)
		return ret;
	if (rfl_value_check(rfl_key_get(RFL_KEY_TARGET_NAME), name,
			    strlen(name)))
		return -EINVAL;
	mutex_lock(&tgt->mutex);
	spin_lock(&tgt->cfg_lock);
	strscpy(tgt->cfg.target_iqn, name, sizeof(tgt->cfg.target_iqn));
	spin_unlock(&tgt->cfg_lock);
	mutex_unlock(&tgt->mutex);
	return count;
}

static ssize_t rfl_ini_tgt_portal_show(struct config_item *item, char *page)
{
	struct rfl_ini_tgt *tgt = to_tgt(item);
	unsigned int i, n;
	ssize_t ret = 0;

	mutex_lock(&tgt->mutex);
	n = rfl_ini_nportals(&tgt->cfg);
	for (i = 0; i < n; i++)
		ret += sysfs_emit_at(page, ret, "%s%pISpc", i ? " " : "",
				     rfl_ini_portal(&tgt->cfg, i));
	ret += sysfs_emit_at(page, ret, "\n");
	mutex_unlock(&tgt->mutex);
	return ret;
}

/* "a.b.c.d:port" or "[v6]:port"; the port defaults to 3260. */
static int rfl_ini_parse_portal(const char *s, struct sockaddr_storage *ss)
{
	char port[8] = "3260";
	char addr[INET6_ADDRSTRLEN + 2];
	const char *colon;
	size_t len;
	u16 p;

	if (*s == '[') {
		const char *end = strchr(s, ']');

		if (!end || end - s - 1 >= sizeof(addr))
			return -EINVAL;
		memcpy(addr, s + 1, end - s - 1);
		addr[end - s - 1] = '\0';
		colon = end[1] == ':' ? end + 1 : NULL;
		if (!colon && end[1])
			return -EINVAL;
	} else {
		colon = strrchr(s, ':');
		if (colon && strchr(s, ':') != colon)
			return -EINVAL;	/* bare IPv6 needs brackets */
		len = colon ? colon - s : strlen(s);
		if (len >= sizeof(addr))
			return -EINVAL;
		memcpy(addr, s, len);
		addr[len] = '\0';
	}
	if (colon && strscpy(port, colon + 1, sizeof(port)) < 0)
		return -EINVAL;
	if (kstrtou16(port, 10, &p) || !p)
		return -EINVAL;
	return inet_pton_with_scope(&init_net, AF_UNSPEC, addr, port, ss);
}

/* Longest portal: "[" INET6_ADDRSTRLEN "%scope]:65535" */
#define RFL_INI_PORTAL_LEN	80

static ssize_t rfl_ini_tgt_portal_store(struct config_item *item,
					const char *page, size_t count)
{
	struct rfl_ini_tgt *tgt = to_tgt(item);
	struct sockaddr_storage ss[RFL_INI_MAX_PORTALS] = {};
	char buf[RFL_INI_MAX_PORTALS * (RFL_INI_PORTAL_LEN + 1)];
	char *p = buf, *tok;
	unsigned int n = 0;
	int ret;

	/* One portal or a list separated by spaces, tried in order. */
	ret = rfl_ini_copy_str(buf, sizeof(buf), page, count);
	if (ret)
		return ret;
	while ((tok = strsep(&p, " \t\n"))) {
		if (!*tok)
			continue;
		if (n == RFL_INI_MAX_PORTALS)
			return -EINVAL;
		ret = rfl_ini_parse_portal(tok, &ss[n]);
		if (ret)
			return ret;
		n++;
	}
	if (!n)
		return -EINVAL;
	mutex_lock(&tgt->mutex);
	spin_lock(&tgt->cfg_lock);
	tgt->cfg.portal = ss[0];
	memcpy(tgt->cfg.extra_portals, &ss[1],
	       sizeof(tgt->cfg.extra_portals));
	tgt->cfg.nextra = n - 1;
	spin_unlock(&tgt->cfg_lock);
	mutex_unlock(&tgt->mutex);
	return count;
}

static ssize_t rfl_ini_tgt_portal_in_use_show(struct config_item *item,
					      char *page)
{
	struct rfl_ini_tgt *tgt = to_tgt(item);
	struct sockaddr_storage ss = {};
	unsigned long flags;
	ssize_t ret;

	mutex_lock(&tgt->mutex);
	if (tgt->sess) {
		spin_lock_irqsave(&tgt->sess->lock, flags);
		ss = tgt->sess->peer;
		spin_unlock_irqrestore(&tgt->sess->lock, flags);
	}
	mutex_unlock(&tgt->mutex);
	if (!ss.ss_family)
		return sysfs_emit(page, "\n");
	ret = sysfs_emit(page, "%pISpc\n", &ss);
	return ret;
}

/*
 * Attributes of struct rfl_ini_cfg, by the offset of their field: the
 * helpers do the work, the macros below only name them.
 */
static void *rfl_ini_cfg_field(struct rfl_ini_tgt *tgt, size_t off)
{
	return (u8 *)&tgt->cfg + off;
}

/* kind: 0 number, 1 Boolean, 2 digest (bool shown as None/CRC32C). */
static ssize_t rfl_ini_cfg_show(struct config_item *item, char *page,
				size_t off, int kind)
{
	struct rfl_ini_tgt *tgt = to_tgt(item);
	u32 v;

	mutex_lock(&tgt->mutex);
	if (kind)
		v = *(bool *)rfl_ini_cfg_field(tgt, off);
	else
		v = *(u32 *)rfl_ini_cfg_field(tgt, off);
	mutex_unlock(&tgt->mutex);
	if (kind == 2)
		return sysfs_emit(page, "%s\n", v ? "CRC32C" : "None");
	return sysfs_emit(page, "%u\n", v);
}

static ssize_t rfl_ini_cfg_store(struct config_item *item, const char *page,
				 size_t count, size_t off, int kind, u32 lo,
				 u32 hi)
{
	struct rfl_ini_tgt *tgt = to_tgt(item);
	bool b = false;
	u32 v = 0;

	if (kind == 2) {
		if (sysfs_streq(page, "CRC32C"))
			b = true;
		else if (!sysfs_streq(page, "None"))
			return -EINVAL;
	} else if (kind == 1) {
		if (kstrtobool(page, &b))
			return -EINVAL;
	} else if (kstrtou32(page, 0, &v) || v < lo || v > hi) {
		return -EINVAL;
	}
	mutex_lock(&tgt->mutex);
	spin_lock(&tgt->cfg_lock);
	if (kind)
		*(bool *)rfl_ini_cfg_field(tgt, off) = b;
	else
		*(u32 *)rfl_ini_cfg_field(tgt, off) = v;
	spin_unlock(&tgt->cfg_lock);
	mutex_unlock(&tgt->mutex);
	return count;
}

/* secret: shown as "[set]" or empty, never in clear. */
static ssize_t rfl_ini_cfg_str_show(struct config_item *item, char *page,
				    size_t off, bool secret)
{
	struct rfl_ini_tgt *tgt = to_tgt(item);
	const char *s;
	ssize_t ret;

	mutex_lock(&tgt->mutex);
	s = rfl_ini_cfg_field(tgt, off);
	if (secret)
		ret = sysfs_emit(page, "%s\n", *s ? "[set]" : "");
	else
		ret = sysfs_emit(page, "%s\n", s);
	mutex_unlock(&tgt->mutex);
	return ret;
}

static ssize_t rfl_ini_cfg_str_store(struct config_item *item,
				     const char *page, size_t count,
				     size_t off)
{
	struct rfl_ini_tgt *tgt = to_tgt(item);
	int ret;

	mutex_lock(&tgt->mutex);
	spin_lock(&tgt->cfg_lock);
	ret = rfl_ini_copy_str(rfl_ini_cfg_field(tgt, off), RFL_INI_CHAP_LEN,
			       page, count);
	spin_unlock(&tgt->cfg_lock);
	mutex_unlock(&tgt->mutex);
	return ret ? ret : count;
}

#define RFL_INI_CFG_ATTR(name, kind, lo, hi)				\
enum { rfl_ini_off_##name = offsetof(struct rfl_ini_cfg, name),	\
	rfl_ini_kind_##name = (kind) };					\
static ssize_t rfl_ini_tgt_##name##_show(struct config_item *item,	\
					 char *page)			\
{									\
	return rfl_ini_cfg_show(item, page, rfl_ini_off_##name,		\
				rfl_ini_kind_##name);			\
}									\
static ssize_t rfl_ini_tgt_##name##_store(struct config_item *item,	\
					  const char *page,		\
					  size_t count)			\
{									\
	return rfl_ini_cfg_store(item, page, count,			\
				 rfl_ini_off_##name,			\
				 rfl_ini_kind_##name, lo, hi);		\
}

#define RFL_INI_STR_ATTR(name, secret)					\
enum { rfl_ini_off_##name = offsetof(struct rfl_ini_cfg, name) };	\
static ssize_t rfl_ini_tgt_##name##_show(struct config_item *item,	\
					 char *page)			\
{									\
	return rfl_ini_cfg_str_show(item, page, rfl_ini_off_##name,	\
				    secret);				\
}									\
static ssize_t rfl_ini_tgt_##name##_store(struct config_item *item,	\
					  const char *page,		\
					  size_t count)			\
{									\
	return rfl_ini_cfg_str_store(item, page, count,			\
				     rfl_ini_off_##name);		\
}

RFL_INI_CFG_ATTR(header_digest, 2, 0, 0)
RFL_INI_CFG_ATTR(data_digest, 2, 0, 0)
RFL_INI_CFG_ATTR(immediate_data, 1, 0, 0)
RFL_INI_CFG_ATTR(initial_r2t, 1, 0, 0)
RFL_INI_CFG_ATTR(max_recv_dlength, 0, 512, 16777215)
RFL_INI_CFG_ATTR(max_burst, 0, 512, 16777215)
RFL_INI_CFG_ATTR(first_burst, 0, 512, 16777215)
RFL_INI_CFG_ATTR(max_outstanding_r2t, 0, 1, 65535)
RFL_INI_CFG_ATTR(queue_depth, 0, 1, 1024)
RFL_INI_CFG_ATTR(nop_interval, 0, 0, 3600)
RFL_INI_CFG_ATTR(nop_timeout, 0, 1, 3600)
RFL_INI_CFG_ATTR(replacement_timeout, 0, 0, 86400)
RFL_INI_CFG_ATTR(reflection, 1, 0, 0)
RFL_INI_CFG_ATTR(chap_sha256, 1, 0, 0)
RFL_INI_STR_ATTR(chap_userid, false)
RFL_INI_STR_ATTR(chap_password, true)
RFL_INI_STR_ATTR(chap_mutual_userid, false)
RFL_INI_STR_ATTR(chap_mutual_password, true)

static ssize_t rfl_ini_tgt_enable_show(struct config_item *item, char *page)
{
	int state = READ_ONCE(to_tgt(item)->state);

	return sysfs_emit(page, "%d\n", state != RFL_INI_DISABLED);
}

static ssize_t rfl_ini_tgt_enable_store(struct config_item *item,
					const char *page, size_t count)
{
	struct rfl_ini_tgt *tgt = to_tgt(item);
	bool on;
	int ret = 0;

	if (kstrtobool(page, &on))
		return -EINVAL;
	mutex_lock(&tgt->mutex);
	if (on && !tgt->sess)
		ret = rfl_ini_enable(tgt);
	else if (!on && tgt->sess)
		rfl_ini_disable(tgt);
	mutex_unlock(&tgt->mutex);
	return ret ? ret : count;
}

static const char * const rfl_ini_state_names[] = {
	[RFL_INI_DISABLED] = "disabled",
	[RFL_INI_LOGGING_IN] = "logging-in",
	[RFL_INI_LOGGED_IN] = "logged-in",
	[RFL_INI_RECOVERING] = "recovering",
	[RFL_INI_FAILED] = "failed",
	[RFL_INI_LOGGING_OUT] = "logging-out",
};

static ssize_t rfl_ini_tgt_state_show(struct config_item *item, char *page)
{
	int state = READ_ONCE(to_tgt(item)->state);

	if (state < 0 || state >= ARRAY_SIZE(rfl_ini_state_names))
		return -EIO;
	return sysfs_emit(page, "%s\n", rfl_ini_state_names[state]);
}

static ssize_t rfl_ini_tgt_last_error_show(struct config_item *item,
					   char *page)
{
	struct rfl_ini_tgt *tgt = to_tgt(item);
	ssize_t ret;

	spin_lock(&tgt->err_lock);
	ret = sysfs_emit(page, "%s\n", tgt->last_error);
	spin_unlock(&tgt->err_lock);
	return ret;
}

static ssize_t rfl_ini_tgt_host_show(struct config_item *item, char *page)
{
	struct rfl_ini_tgt *tgt = to_tgt(item);
	ssize_t ret;

	mutex_lock(&tgt->mutex);
	if (tgt->sess && tgt->sess->shost)
		ret = sysfs_emit(page, "%u\n", tgt->sess->shost->host_no);
	else
		ret = sysfs_emit(page, "\n");
	mutex_unlock(&tgt->mutex);
	return ret;
}

static ssize_t rfl_ini_tgt_negotiated_show(struct config_item *item,
					   char *page)
{
	struct rfl_ini_tgt *tgt = to_tgt(item);
	const struct rfl_params *p;
	ssize_t ret;

	mutex_lock(&tgt->mutex);
	if (!tgt->sess) {
		mutex_unlock(&tgt->mutex);
		return sysfs_emit(page, "\n");
	}
	p = &tgt->sess->params;
	ret = sysfs_emit(page,
			 "HeaderDigest=%s\nDataDigest=%s\n"
			 "MaxRecvDataSegmentLength=%u\n"
			 "MaxXmitDataSegmentLength=%u\n"
			 "MaxBurstLength=%u\nFirstBurstLength=%u\n"
			 "ImmediateData=%s\nInitialR2T=%s\n"
			 "MaxOutstandingR2T=%u\nDataPDUInOrder=%s\n"
			 "DataSequenceInOrder=%s\nDefaultTime2Wait=%u\n"
			 "DefaultTime2Retain=%u\nErrorRecoveryLevel=%u\n"
			 "MaxConnections=%u\n%s=%s\nTSIH=%u\n",
			 p->header_digest ? "CRC32C" : "None",
			 p->data_digest ? "CRC32C" : "None",
			 p->max_recv_dsl, p->max_xmit_dsl, p->max_burst,
			 p->first_burst, p->immediate_data ? "Yes" : "No",
			 p->initial_r2t ? "Yes" : "No", p->max_r2t,
			 p->data_pdu_in_order ? "Yes" : "No",
			 p->data_seq_in_order ? "Yes" : "No", p->time2wait,
			 p->time2retain, p->erl, p->max_connections,
			 RFL_REFLECT_KEY, tgt->sess->reflect ? "Yes" : "No",
			 tgt->sess->tsih);
	mutex_unlock(&tgt->mutex);
	return ret;
}

static ssize_t rfl_ini_tgt_stats_show(struct config_item *item, char *page)
{
	struct rfl_ini_stats *s = &to_tgt(item)->stats;

	return sysfs_emit(page,
			  "commands %lld\nbytes_in %lld\nbytes_out %lld\n"
			  "connection_failures %lld\ntarget_failures %lld\n"
			  "non_good_status %lld\nlate_pdus %lld\n"
			  "ignored_windows %lld\nreconnects %lld\n"
			  "reflected %lld\npieces %lld\nbytes_direct %lld\n"
			  "fallbacks %lld\ninvalid_scripts %lld\n",
			  atomic64_read(&s->cmds), atomic64_read(&s->bytes_in),
			  atomic64_read(&s->bytes_out),
			  atomic64_read(&s->conn_failures),
			  atomic64_read(&s->target_failures),
			  atomic64_read(&s->non_good_status),
			  atomic64_read(&s->late_pdus),
			  atomic64_read(&s->ignored_windows),
			  atomic64_read(&s->reconnects),
			  atomic64_read(&s->reflected),
			  atomic64_read(&s->pieces),
			  atomic64_read(&s->bytes_direct),
			  atomic64_read(&s->fallbacks),
			  atomic64_read(&s->invalid_scripts));
}

CONFIGFS_ATTR(rfl_ini_tgt_, target_iqn);
CONFIGFS_ATTR(rfl_ini_tgt_, portal);
CONFIGFS_ATTR(rfl_ini_tgt_, header_digest);
CONFIGFS_ATTR(rfl_ini_tgt_, data_digest);
CONFIGFS_ATTR(rfl_ini_tgt_, immediate_data);
CONFIGFS_ATTR(rfl_ini_tgt_, initial_r2t);
CONFIGFS_ATTR(rfl_ini_tgt_, max_recv_dlength);
CONFIGFS_ATTR(rfl_ini_tgt_, max_burst);
CONFIGFS_ATTR(rfl_ini_tgt_, first_burst);
CONFIGFS_ATTR(rfl_ini_tgt_, max_outstanding_r2t);
CONFIGFS_ATTR(rfl_ini_tgt_, queue_depth);
CONFIGFS_ATTR(rfl_ini_tgt_, nop_interval);
CONFIGFS_ATTR(rfl_ini_tgt_, nop_timeout);
CONFIGFS_ATTR(rfl_ini_tgt_, replacement_timeout);
CONFIGFS_ATTR(rfl_ini_tgt_, reflection);
CONFIGFS_ATTR(rfl_ini_tgt_, chap_userid);
CONFIGFS_ATTR(rfl_ini_tgt_, chap_password);
CONFIGFS_ATTR(rfl_ini_tgt_, chap_mutual_userid);
CONFIGFS_ATTR(rfl_ini_tgt_, chap_mutual_password);
CONFIGFS_ATTR(rfl_ini_tgt_, chap_sha256);
CONFIGFS_ATTR(rfl_ini_tgt_, enable);
CONFIGFS_ATTR_RO(rfl_ini_tgt_, state);
CONFIGFS_ATTR_RO(rfl_ini_tgt_, last_error);
CONFIGFS_ATTR_RO(rfl_ini_tgt_, host);
CONFIGFS_ATTR_RO(rfl_ini_tgt_, negotiated);
CONFIGFS_ATTR_RO(rfl_ini_tgt_, stats);
CONFIGFS_ATTR_RO(rfl_ini_tgt_, portal_in_use);

static struct configfs_attribute *rfl_ini_tgt_attrs[] = {
	&rfl_ini_tgt_attr_target_iqn,
	&rfl_ini_tgt_attr_portal,
	&rfl_ini_tgt_attr_header_digest,
	&rfl_ini_tgt_attr_data_digest,
	&rfl_ini_tgt_attr_immediate_data,
	&rfl_ini_tgt_attr_initial_r2t,
	&rfl_ini_tgt_attr_max_recv_dlength,
	&rfl_ini_tgt_attr_max_burst,
	&rfl_ini_tgt_attr_first_burst,
	&rfl_ini_tgt_attr_max_outstanding_r2t,
	&rfl_ini_tgt_attr_queue_depth,
	&rfl_ini_tgt_attr_nop_interval,
	&rfl_ini_tgt_attr_nop_timeout,
	&rfl_ini_tgt_attr_replacement_timeout,
	&rfl_ini_tgt_attr_reflection,
	&rfl_ini_tgt_attr_chap_userid,
	&rfl_ini_tgt_attr_chap_password,
	&rfl_ini_tgt_attr_chap_mutual_userid,
	&rfl_ini_tgt_attr_chap_mutual_password,
	&rfl_ini_tgt_attr_chap_sha256,
	&rfl_ini_tgt_attr_enable,
	&rfl_ini_tgt_attr_state,
	&rfl_ini_tgt_attr_last_error,
	&rfl_ini_tgt_attr_host,
	&rfl_ini_tgt_attr_negotiated,
	&rfl_ini_tgt_attr_stats,
	&rfl_ini_tgt_attr_portal_in_use,
	NULL,
};

static void rfl_ini_tgt_release(struct config_item *item)
{
	kfree(to_tgt(item));
}

static struct configfs_item_operations rfl_ini_tgt_ops = {
	.release = rfl_ini_tgt_release,
};

static const struct config_item_type rfl_ini_tgt_type = {
	.ct_item_ops = &rfl_ini_tgt_ops,
	.ct_attrs = rfl_ini_tgt_attrs,
	.ct_owner = THIS_MODULE,
};

/**
 * rfl_ini_cfg_defaults() - initialise a target object's values.
 * @tgt: a zeroed target object
 *
 * Also used for the LU pool's internal objects.
 */
void rfl_ini_cfg_defaults(struct rfl_ini_tgt *tgt)
{
	struct rfl_ini_cfg *c = &tgt->cfg;

	mutex_init(&tgt->mutex);
	spin_lock_init(&tgt->err_lock);
	spin_lock_init(&tgt->cfg_lock);
	INIT_LIST_HEAD(&tgt->list);
	c->max_recv_dlength = 262144;
	c->max_burst = 262144;
	c->first_burst = 65536;
	c->immediate_data = true;
	c->initial_r2t = false;
	c->max_outstanding_r2t = 1;
	c->queue_depth = 32;
	c->nop_interval = 5;
	c->nop_timeout = 5;
	c->replacement_timeout = 120;
	c->chap_sha256 = true;
	c->reflection = true;
	/* ISID type "random" (RFC 7143 section 11.12.5), kept for life. */
	get_random_bytes(tgt->isid, sizeof(tgt->isid));
	tgt->isid[0] = 0x80 | (tgt->isid[0] & 0x3f);
	tgt->state = RFL_INI_DISABLED;
}

/**
 * rfl_ini_cfg_find() - the values of the target object for a target name.
 * @iqn: the target name
 * @cfg: filled with a copy of the object's values when one is found
 *
 * The first configfs object whose target_iqn is @iqn counts, enabled or
 * not.
 *
 * Context: process context, may sleep.
 * Return: true if an object was found.
 */
bool rfl_ini_cfg_find(const char *iqn, struct rfl_ini_cfg *cfg)
{
	struct rfl_ini_tgt *tgt;
	bool found = false;

	mutex_lock(&rfl_ini_tgts_mutex);
	list_for_each_entry(tgt, &rfl_ini_tgts, list) {
		/*
		 * cfg_lock, not the mutex: an enable or disable in progress
		 * holds that one and may wait for reflected commands whose
		 * executor is opening an LU here.
		 */
		spin_lock(&tgt->cfg_lock);
		found = !strcmp(tgt->cfg.target_iqn, iqn);
		if (found)
			*cfg = tgt->cfg;
		spin_unlock(&tgt->cfg_lock);
		if (found)
			break;
	}
	mutex_unlock(&rfl_ini_tgts_mutex);
	return found;
}

static struct config_group *rfl_ini_targets_make(struct config_group *group,
						 const char *name)
{
	struct rfl_ini_tgt *tgt = kzalloc(sizeof(*tgt), GFP_KERNEL);

	if (!tgt)
		return ERR_PTR(-ENOMEM);
	rfl_ini_cfg_defaults(tgt);
	config_group_init_type_name(&tgt->group, name, &rfl_ini_tgt_type);
	mutex_lock(&rfl_ini_tgts_mutex);
	list_add_tail(&tgt->list, &rfl_ini_tgts);
	mutex_unlock(&rfl_ini_tgts_mutex);
	return &tgt->group;
}

static void rfl_ini_targets_drop(struct config_group *group,
				 struct config_item *item)
{
	struct rfl_ini_tgt *tgt = to_tgt(item);

	mutex_lock(&rfl_ini_tgts_mutex);
	list_del_init(&tgt->list);
	mutex_unlock(&rfl_ini_tgts_mutex);
	mutex_lock(&tgt->mutex);
	if (tgt->sess)
		rfl_ini_disable(tgt);
	mutex_unlock(&tgt->mutex);
	config_item_put(item);
}

static struct configfs_group_operations rfl_ini_targets_ops = {
	.make_group = rfl_ini_targets_make,
	.drop_item = rfl_ini_targets_drop,
};

static const struct config_item_type rfl_ini_targets_type = {
	.ct_group_ops = &rfl_ini_targets_ops,
	.ct_owner = THIS_MODULE,
};

/* --------------------------------------------------- discovery objects */

/*
 * A discovery object: its group is that of the embedded target object,
 * so that portal, last_error and the CHAP attributes are the target
 * object's own.
 */
struct rfl_ini_disc {
	struct rfl_ini_tgt tgt;
	char *targets;		/* under tgt.mutex; NULL: no result */
};

static struct rfl_ini_disc *to_disc(struct config_item *item)
{
	return container_of(to_tgt(item), struct rfl_ini_disc, tgt);
}

static ssize_t rfl_ini_disc_discover_store(struct config_item *item,
					   const char *page, size_t count)
{
	struct rfl_ini_disc *disc = to_disc(item);
	struct rfl_ini_tgt *tgt = &disc->tgt;
	char *buf;
	bool on;
	int ret;

	if (kstrtobool(page, &on) || !on)
		return -EINVAL;
	buf = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	mutex_lock(&tgt->mutex);
	spin_lock(&tgt->err_lock);
	tgt->last_error[0] = '\0';
	spin_unlock(&tgt->err_lock);
	kfree(disc->targets);
	disc->targets = NULL;
	ret = rfl_ini_discover(tgt, current->nsproxy->net_ns, buf, PAGE_SIZE);
	if (!ret) {
		disc->targets = buf;
		buf = NULL;
	}
	mutex_unlock(&tgt->mutex);
	kfree(buf);
	return ret ? ret : count;
}

static ssize_t rfl_ini_disc_targets_show(struct config_item *item,
					 char *page)
{
	struct rfl_ini_disc *disc = to_disc(item);
	ssize_t ret;

	mutex_lock(&disc->tgt.mutex);
	ret = sysfs_emit(page, "%s", disc->targets ? disc->targets : "");
	mutex_unlock(&disc->tgt.mutex);
	return ret;
}

CONFIGFS_ATTR_WO(rfl_ini_disc_, discover);
CONFIGFS_ATTR_RO(rfl_ini_disc_, targets);

static struct configfs_attribute *rfl_ini_disc_attrs[] = {
	&rfl_ini_tgt_attr_portal,
	&rfl_ini_tgt_attr_chap_userid,
	&rfl_ini_tgt_attr_chap_password,
	&rfl_ini_tgt_attr_chap_mutual_userid,
	&rfl_ini_tgt_attr_chap_mutual_password,
	&rfl_ini_tgt_attr_chap_sha256,
	&rfl_ini_tgt_attr_max_recv_dlength,
	&rfl_ini_disc_attr_discover,
	&rfl_ini_disc_attr_targets,
	&rfl_ini_tgt_attr_last_error,
	NULL,
};

static void rfl_ini_disc_release(struct config_item *item)
{
	struct rfl_ini_disc *disc = to_disc(item);

	kfree(disc->targets);
	kfree(disc);
}

static struct configfs_item_operations rfl_ini_disc_ops = {
	.release = rfl_ini_disc_release,
};

static const struct config_item_type rfl_ini_disc_type = {
	.ct_item_ops = &rfl_ini_disc_ops,
	.ct_attrs = rfl_ini_disc_attrs,
	.ct_owner = THIS_MODULE,
};

static struct config_group *rfl_ini_discovery_make(struct config_group *group,
						   const char *name)
{
	struct rfl_ini_disc *disc = kzalloc(sizeof(*disc), GFP_KERNEL);

	if (!disc)
		return ERR_PTR(-ENOMEM);
	rfl_ini_cfg_defaults(&disc->tgt);
	config_group_init_type_name(&disc->tgt.group, name,
				    &rfl_ini_disc_type);
	return &disc->tgt.group;
}

static struct configfs_group_operations rfl_ini_discovery_ops = {
	.make_group = rfl_ini_discovery_make,
};

static const struct config_item_type rfl_ini_discovery_type = {
	.ct_group_ops = &rfl_ini_discovery_ops,
	.ct_owner = THIS_MODULE,
};

static const struct config_item_type rfl_ini_root_type = {
	.ct_attrs = rfl_ini_root_attrs,
	.ct_owner = THIS_MODULE,
};

static struct configfs_subsystem rfl_ini_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = RFL_INI_NAME,
			.ci_type = &rfl_ini_root_type,
		},
	},
};

static struct config_group rfl_ini_targets_group;
static struct config_group rfl_ini_discovery_group;

int rfl_ini_configfs_init(void)
{
	int ret;

	config_group_init(&rfl_ini_subsys.su_group);
	mutex_init(&rfl_ini_subsys.su_mutex);
	config_group_init_type_name(&rfl_ini_targets_group, "targets",
				    &rfl_ini_targets_type);
	configfs_add_default_group(&rfl_ini_targets_group,
				   &rfl_ini_subsys.su_group);
	config_group_init_type_name(&rfl_ini_discovery_group, "discovery",
				    &rfl_ini_discovery_type);
	configfs_add_default_group(&rfl_ini_discovery_group,
				   &rfl_ini_subsys.su_group);
	ret = configfs_register_subsystem(&rfl_ini_subsys);
	if (ret)
		pr_err("cannot register configfs subsystem: %d\n", ret);
	return ret;
}

void rfl_ini_configfs_exit(void)
{
	configfs_unregister_subsystem(&rfl_ini_subsys);
}
