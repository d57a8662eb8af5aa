// SPDX-License-Identifier: GPL-2.0
/*
 * The configfs subsystem /sys/kernel/config/reflect_vvol: one directory
 * per volume, with the extent map as a binary attribute (a whole map of
 * any size up to RVOL_MAP_MAX, committed when the writer closes it), its
 * block size, generation, size, last error and statistics.
 *
 * LIO devices find volumes by name (rvol_vol_find). A device holds a
 * reference to its volume's config_item, so a volume removed with rmdir
 * lives on, with its last map, until its devices are gone.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>

#include "rvol.h"

/* Protects rvol_vols, the volumes by name. */
static DEFINE_MUTEX(rvol_vols_mutex);
static LIST_HEAD(rvol_vols);

static struct rvol_vol *to_vol(struct config_item *item)
{
	return container_of(to_config_group(item), struct rvol_vol, group);
}

/**
 * rvol_vol_find() - a volume by name, with a reference
 * @name: the volume's directory name
 *
 * Return: the volume (drop it with rvol_vol_put()), or NULL.
 */
struct rvol_vol *rvol_vol_find(const char *name)
{
	struct rvol_vol *vol, *found = NULL;

	mutex_lock(&rvol_vols_mutex);
	list_for_each_entry(vol, &rvol_vols, node) {
		if (!strcmp(vol->name, name)) {
			config_item_get(&vol->group.cg_item);
			found = vol;
			break;
		}
	}
	mutex_unlock(&rvol_vols_mutex);
	return found;
}

void rvol_vol_put(struct rvol_vol *vol)
{
	config_item_put(&vol->group.cg_item);
}

/* ------------------------------------------------------------- map */

static ssize_t rvol_vol_map_read(struct config_item *item, void *buf,
				 size_t size)
{
	struct rvol_map *map = rvol_map_get(to_vol(item));
	ssize_t ret = 0;

	if (!map)
		return 0;
	if (!buf) {
		ret = map->text_len;
	} else if (map->text_len != size) {
		ret = -EAGAIN;	/* replaced between sizing and reading */
	} else {
		memcpy(buf, map->text, map->text_len);
		ret = map->text_len;
	}
	rvol_map_put(map);
	return ret;
}

static ssize_t rvol_vol_map_write(struct config_item *item, const void *buf,
				  size_t size)
{
	int ret = rvol_map_load(to_vol(item), buf, size);

	return ret ? ret : size;
}

CONFIGFS_BIN_ATTR(rvol_vol_, map, NULL, RVOL_MAP_MAX);

static struct configfs_bin_attribute *rvol_vol_bin_attrs[] = {
	&rvol_vol_attr_map,
	NULL,
};

/* ------------------------------------------------------- attributes */

static ssize_t rvol_vol_block_size_show(struct config_item *item,
					char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_vol(item)->block_size));
}

static ssize_t rvol_vol_block_size_store(struct config_item *item,
					 const char *page, size_t count)
{
	struct rvol_vol *vol = to_vol(item);
	u32 bs;
	int ret;

	ret = kstrtou32(page, 0, &bs);
	if (ret)
		return ret;
	if (bs < 512 || bs > 65536 || !is_power_of_2(bs))
		return -EINVAL;
	mutex_lock(&vol->mutex);
	if (rcu_access_pointer(vol->map) || vol->nr_configured)
		ret = -EBUSY;	/* a loaded map was checked against it */
	else
		WRITE_ONCE(vol->block_size, bs);
	mutex_unlock(&vol->mutex);
	return ret ? ret : count;
}

static ssize_t rvol_vol_generation_show(struct config_item *item, char *page)
{
	struct rvol_map *map = rvol_map_get(to_vol(item));
	u32 gen = map ? map->gen : 0;

	rvol_map_put(map);
	return sysfs_emit(page, "%u\n", gen);
}

static ssize_t rvol_vol_size_show(struct config_item *item, char *page)
{
	struct rvol_map *map = rvol_map_get(to_vol(item));
	u64 size = map ? map->m.size : 0;

	rvol_map_put(map);
	return sysfs_emit(page, "%llu\n", size);
}

static ssize_t rvol_vol_last_error_show(struct config_item *item, char *page)
{
	struct rvol_vol *vol = to_vol(item);
	ssize_t ret;

	mutex_lock(&vol->mutex);
	ret = sysfs_emit(page, "%s\n", vol->last_error);
	mutex_unlock(&vol->mutex);
	return ret;
}

static ssize_t rvol_vol_stats_show(struct config_item *item, char *page)
{
	struct rvol_vol *vol = to_vol(item);
	struct rvol_map *map = rvol_map_get(vol);
	u32 gen = map ? map->gen : 0;

	rvol_map_put(map);
	return sysfs_emit(page,
			  "reflected_cmds %lld\nreflected_pieces %lld\n"
			  "proxied_cmds %lld\nproxied_bytes %lld\n"
			  "errors %lld\ngeneration %u\n"
			  "unmap_cmds %lld\nunmap_blocks %lld\n"
			  "unmap_unsupported %lld\n"
			  "write_same_cmds %lld\nwrite_same_blocks %lld\n",
			  atomic64_read(&vol->st_reflected_cmds),
			  atomic64_read(&vol->st_reflected_pieces),
			  atomic64_read(&vol->st_proxied_cmds),
			  atomic64_read(&vol->st_proxied_bytes),
			  atomic64_read(&vol->st_errors), gen,
			  atomic64_read(&vol->st_unmap_cmds),
			  atomic64_read(&vol->st_unmap_blocks),
			  atomic64_read(&vol->st_unmap_unsupported),
			  atomic64_read(&vol->st_write_same_cmds),
			  atomic64_read(&vol->st_write_same_blocks));
}

/*
 * One line per backing target of the map in force: its label, name, LUN,
 * and what the LU reported when the map was loaded.
 */
static ssize_t rvol_vol_backing_show(struct config_item *item, char *page)
{
	struct rvol_map *map = rvol_map_get(to_vol(item));
	ssize_t len = 0;
	u32 i;

	if (!map)
		return 0;
	for (i = 0; i < map->m.ntargets; i++) {
		const struct rfl_map_target *mt = &map->m.targets[i];
		const struct rfl_lu_info *in = &map->info[i];
		char line[RFL_MAP_LABEL_MAX + RFL_MAP_NAME_MAX +
			  2 * RFL_LU_ID_MAX + 128];
		int n;

		n = scnprintf(line, sizeof(line),
			      "%s %s lun=%llu tpgt=%d blocks=%llu block_size=%u id=",
			      mt->label, mt->iqn, mt->lun, in->tpgt,
			      in->capacity, in->block_size);
		if (in->id_len)	/* %ph stops at 64 bytes */
			n = bin2hex(line + n, in->id, in->id_len) - line;
		else
			n += scnprintf(line + n, sizeof(line) - n, "none");
		n += scnprintf(line + n, sizeof(line) - n, "\n");
		/* Room for this line and for the last one. */
		if (len + n > PAGE_SIZE - 64) {
			len += scnprintf(page + len, PAGE_SIZE - len,
					 "(%u more targets not shown)\n",
					 map->m.ntargets - i);
			break;
		}
		memcpy(page + len, line, n);
		len += n;
	}
	rvol_map_put(map);
	return len;
}

CONFIGFS_ATTR(rvol_vol_, block_size);
CONFIGFS_ATTR_RO(rvol_vol_, backing);
CONFIGFS_ATTR_RO(rvol_vol_, generation);
CONFIGFS_ATTR_RO(rvol_vol_, size);
CONFIGFS_ATTR_RO(rvol_vol_, last_error);
CONFIGFS_ATTR_RO(rvol_vol_, stats);

static struct configfs_attribute *rvol_vol_attrs[] = {
	&rvol_vol_attr_block_size,
	&rvol_vol_attr_backing,
	&rvol_vol_attr_generation,
	&rvol_vol_attr_size,
	&rvol_vol_attr_last_error,
	&rvol_vol_attr_stats,
	NULL,
};

/* ------------------------------------------------------- directories */

static void rvol_vol_release(struct config_item *item)
{
	struct rvol_vol *vol = to_vol(item);

	/* No device and no reader is left: the map goes with the volume. */
	rvol_map_put(rcu_dereference_protected(vol->map, 1));
	kfree(vol);
}

static struct configfs_item_operations rvol_vol_item_ops = {
	.release = rvol_vol_release,
};

static const struct config_item_type rvol_vol_type = {
	.ct_item_ops = &rvol_vol_item_ops,
	.ct_attrs = rvol_vol_attrs,
	.ct_bin_attrs = rvol_vol_bin_attrs,
	.ct_owner = THIS_MODULE,
};

static struct config_group *rvol_make_vol(struct config_group *group,
					  const char *name)
{
	struct rvol_vol *vol, *other;

	if (!*name || strlen(name) > RVOL_NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	vol = kzalloc(sizeof(*vol), GFP_KERNEL);
	if (!vol)
		return ERR_PTR(-ENOMEM);
	strscpy(vol->name, name, sizeof(vol->name));
	mutex_init(&vol->mutex);
	vol->block_size = 512;
	atomic64_set(&vol->st_reflected_cmds, 0);
	atomic64_set(&vol->st_reflected_pieces, 0);
	atomic64_set(&vol->st_proxied_cmds, 0);
	atomic64_set(&vol->st_proxied_bytes, 0);
	atomic64_set(&vol->st_errors, 0);
	atomic64_set(&vol->st_unmap_cmds, 0);
	atomic64_set(&vol->st_unmap_blocks, 0);
	atomic64_set(&vol->st_unmap_unsupported, 0);
	atomic64_set(&vol->st_write_same_cmds, 0);
	atomic64_set(&vol->st_write_same_blocks, 0);
	config_group_init_type_name(&vol->group, name, &rvol_vol_type);
	mutex_lock(&rvol_vols_mutex);
	list_for_each_entry(other, &rvol_vols, node) {
		if (!strcmp(other->name, name)) {
			mutex_unlock(&rvol_vols_mutex);
			kfree(vol);
			return ERR_PTR(-EEXIST);
		}
	}
	list_add_tail(&vol->node, &rvol_vols);
	mutex_unlock(&rvol_vols_mutex);
	return &vol->group;
}

static void rvol_drop_vol(struct config_group *group, struct config_item *item)
{
	struct rvol_vol *vol = to_vol(item);

	mutex_lock(&rvol_vols_mutex);
	list_del_init(&vol->node);
	mutex_unlock(&rvol_vols_mutex);
	config_item_put(item);
}

static struct configfs_group_operations rvol_root_group_ops = {
	.make_group = rvol_make_vol,
	.drop_item = rvol_drop_vol,
};

static const struct config_item_type rvol_root_type = {
	.ct_group_ops = &rvol_root_group_ops,
	.ct_owner = THIS_MODULE,
};

static struct configfs_subsystem rvol_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = "reflect_vvol",
			.ci_type = &rvol_root_type,
		},
	},
};

int rvol_configfs_init(void)
{
	config_group_init(&rvol_subsys.su_group);
	mutex_init(&rvol_subsys.su_mutex);
	return configfs_register_subsystem(&rvol_subsys);
}

void rvol_configfs_exit(void)
{
	configfs_unregister_subsystem(&rvol_subsys);
}
