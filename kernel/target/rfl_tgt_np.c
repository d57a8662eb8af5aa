// SPDX-License-Identifier: GPL-2.0
/*
 * Network portals: tpgt_N/np/<ipv4>:<port> and np/[<ipv6>]:<port>. Each is
 * a kernel TCP listening socket in the network namespace of the process
 * that made the directory. Its sk_data_ready callback queues accept_work,
 * which accepts every pending connection without blocking.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/inet.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "rfl_tgt.h"

static int rfl_np_parse(const char *name, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	const char *port, *end;
	u16 p;

	memset(ss, 0, sizeof(*ss));
	if (name[0] == '[') {
		end = strchr(name, ']');
		if (!end || end[1] != ':' ||
		    !in6_pton(name + 1, end - name - 1,
			      sin6->sin6_addr.s6_addr, -1, NULL))
			return -EINVAL;
		port = end + 2;
		sin6->sin6_family = AF_INET6;
	} else {
		end = strrchr(name, ':');
		if (!end || !in4_pton(name, end - name,
				      (u8 *)&sin->sin_addr.s_addr, -1, NULL))
			return -EINVAL;
		port = end + 1;
		sin->sin_family = AF_INET;
	}
	if (kstrtou16(port, 10, &p) || !p)
		return -EINVAL;
	if (ss->ss_family == AF_INET6)
		sin6->sin6_port = htons(p);
	else
		sin->sin_port = htons(p);
	return 0;
}

/**
 * rfl_np_format() - an address as a portal name or SendTargets address
 * @ss: IPv4 or IPv6 address and port
 * @buf: where to write "a.b.c.d:port" or "[v6]:port"
 * @len: size of @buf
 *
 * Return: the length written.
 */
int rfl_np_format(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

	if (ss->ss_family == AF_INET6)
		return scnprintf(buf, len, "[%pI6c]:%u", &sin6->sin6_addr,
				 ntohs(sin6->sin6_port));
	return scnprintf(buf, len, "%pI4:%u", &sin->sin_addr,
			 ntohs(sin->sin_port));
}

static void rfl_np_data_ready(struct sock *sk)
{
	struct rfl_np *np;

	read_lock_bh(&sk->sk_callback_lock);
	np = sk->sk_user_data;
	if (np && sk->sk_state == TCP_LISTEN)
		queue_work(rfl_io_wq, &np->accept_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void rfl_np_accept_work(struct work_struct *work)
{
	struct rfl_np *np = container_of(work, struct rfl_np, accept_work);
	struct socket *sock;
	int ret;

	for (;;) {
		ret = kernel_accept(np->sock, &sock, O_NONBLOCK);
		if (ret) {
			if (ret != -EAGAIN)
				pr_warn_ratelimited("accept on portal failed: %d\n",
						    ret);
			return;
		}
		if (IS_ERR(rfl_conn_create(np, sock)))
			sock_release(sock);
	}
}

struct se_tpg_np *rfl_make_np(struct se_portal_group *se_tpg,
			      struct config_group *group, const char *name)
{
	struct rfl_tpg *tpg = rfl_tpg(se_tpg);
	struct rfl_np *np;
	struct sock *sk;
	int ret;

	np = kzalloc(sizeof(*np), GFP_KERNEL);
	if (!np)
		return ERR_PTR(-ENOMEM);
	ret = rfl_np_parse(name, &np->addr);
	if (ret) {
		pr_err("portal %s: expected <ipv4>:<port> or [<ipv6>]:<port>\n",
		       name);
		goto out_free;
	}
	np->tpg = tpg;
	INIT_WORK(&np->accept_work, rfl_np_accept_work);
	np->net = get_net(current->nsproxy->net_ns);
	ret = sock_create_kern(np->net, np->addr.ss_family, SOCK_STREAM,
			       IPPROTO_TCP, &np->sock);
	if (ret)
		goto out_net;
	sk = np->sock->sk;
	sock_set_reuseaddr(sk);
	tcp_sock_set_nodelay(sk);
	if (np->addr.ss_family == AF_INET6)
		ip6_sock_set_v6only(sk);
	ret = kernel_bind(np->sock, (struct sockaddr *)&np->addr,
			  np->addr.ss_family == AF_INET6 ?
			  sizeof(struct sockaddr_in6) :
			  sizeof(struct sockaddr_in));
	if (ret) {
		pr_err("portal %s: bind failed: %d\n", name, ret);
		goto out_sock;
	}
	ret = kernel_listen(np->sock, 128);
	if (ret)
		goto out_sock;
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = np;
	np->old_data_ready = sk->sk_data_ready;
	sk->sk_data_ready = rfl_np_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	mutex_lock(&rfl_cfg_mutex);
	list_add_tail(&np->node, &tpg->nps);
	mutex_unlock(&rfl_cfg_mutex);
	/* Connections that queued before the callback was set. */
	queue_work(rfl_io_wq, &np->accept_work);
	pr_info("%s tpgt_%u: listening on %s\n", tpg->tiqn->name, tpg->tag,
		name);
	return &np->se_np;

out_sock:
	sock_release(np->sock);
out_net:
	put_net(np->net);
out_free:
	kfree(np);
	return ERR_PTR(ret);
}

void rfl_drop_np(struct se_tpg_np *se_np)
{
	struct rfl_np *np = container_of(se_np, struct rfl_np, se_np);
	struct sock *sk = np->sock->sk;

	mutex_lock(&rfl_cfg_mutex);
	list_del(&np->node);
	mutex_unlock(&rfl_cfg_mutex);
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = np->old_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	cancel_work_sync(&np->accept_work);
	/* Sessions that came in through this portal end with it. */
	rfl_tpg_close_conns(np->tpg, np, true);
	sock_release(np->sock);
	put_net(np->net);
	kfree(np);
}
