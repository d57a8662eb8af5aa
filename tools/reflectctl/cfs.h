/* SPDX-License-Identifier: GPL-2.0 */
/* reflectctl: helpers of the configfs layer shared with the commands. */
#ifndef REFLECTCTL_CFS_H
#define REFLECTCTL_CFS_H

#include <dirent.h>
#include <stddef.h>

char *read_value(const char *path);
int is_dir(const char *p);
char **list_dir(const char *path, int want_type, int *n);
void free_list(char **v, int n);
int write_atomic(const char *path, const char *data, size_t len, int mode);

#endif
