// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsheap_sample: a driver using the wsheap in-kernel API, the way a
 * protocol driver would.  It keeps one heap for its messages; each message
 * is parsed into structures allocated from the heap, used, and dropped all
 * at once by wsheap_reset(), which keeps the trim size of memory for the
 * next message.  Nothing is freed piece by piece, and a message that fails
 * half-way through needs no cleanup.
 *
 * Here the messages are built in and handled when the module loads; the
 * heap lives until the module is unloaded, as a connection's would.
 *
 * Build it outside the wsheap tree with the two lines of its Kbuild, after
 * `make` in the wsheap tree:
 *
 *	make -C /lib/modules/$(uname -r)/build M=$PWD WSHEAP=/path/to/wsheap
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/wsheap.h>

/* The API is exported in the WSHEAP namespace; WSHEAP_NS spells it for any kernel. */
MODULE_IMPORT_NS(WSHEAP_NS);

/* "key=value;key=value...": a field "body=N" carries N bytes of payload. */
static const char * const sample_messages[] = {
	"id=1;op=read;path=/status",
	"id=2;op=write;path=/config/mode;value=fast",
	"id=3;op=write;path=/firmware;body=20000",
	"id=4;op=write;path=/dump;body=100000",
	"id=5;op=read;path=/status",
};

struct sample_field {
	const char *key;
	const char *value;
};

/* A parsed message: every byte of it lives in the heap. */
struct sample_message {
	unsigned int nr_fields;
	struct sample_field *fields;
	u8 *body;
	unsigned int body_len;
};

static struct wsheap *sample_heap;

/* Copy the text from @from to @to into @heap as a string. */
static int sample_strdup(struct wsheap *heap, const char *from, const char *to,
			 const char **out)
{
	char *s;
	int err;

	err = wsheap_alloc(heap, to - from + 1, (void **)&s);
	if (err)
		return err;
	memcpy(s, from, to - from);
	s[to - from] = '\0';
	*out = s;
	return 0;
}

/* The value of the field @key of @msg, or "-" if it has none. */
static const char *sample_value(const struct sample_message *msg, const char *key)
{
	unsigned int i;

	for (i = 0; i < msg->nr_fields; i++)
		if (!strcmp(msg->fields[i].key, key))
			return msg->fields[i].value;
	return "-";
}

/**
 * sample_parse() - Parse a message into structures allocated from a heap
 * @heap: the heap to allocate from.
 * @text: the message, "key=value;key=value...".
 * @out: the parsed message, valid until the next wsheap_reset() of @heap.
 *
 * On failure, what was allocated stays in @heap until its next reset.
 *
 * Return: 0, -EINVAL if @text is malformed, or what wsheap_alloc() returned:
 * -EDQUOT if the message would pass the heap's max size, -ENOMEM.
 */
static int sample_parse(struct wsheap *heap, const char *text, struct sample_message **out)
{
	struct sample_message *msg;
	const char *p, *end, *eq;
	unsigned int i;
	int err;

	err = wsheap_alloc(heap, sizeof(*msg), (void **)&msg);
	if (err)
		return err;
	msg->nr_fields = 1;
	for (p = text; *p; p++)
		msg->nr_fields += *p == ';';
	err = wsheap_alloc(heap, array_size(msg->nr_fields, sizeof(*msg->fields)),
			   (void **)&msg->fields);
	if (err)
		return err;

	msg->body = NULL;
	msg->body_len = 0;
	for (i = 0, p = text; i < msg->nr_fields; i++, p = end + 1) {
		end = strchrnul(p, ';');
		eq = memchr(p, '=', end - p);
		if (!eq)
			return -EINVAL;
		err = sample_strdup(heap, p, eq, &msg->fields[i].key);
		if (!err)
			err = sample_strdup(heap, eq + 1, end, &msg->fields[i].value);
		if (err)
			return err;
		if (strcmp(msg->fields[i].key, "body"))
			continue;
		/* The payload, received into the heap as a device would write it. */
		if (kstrtouint(msg->fields[i].value, 10, &msg->body_len))
			return -EINVAL;
		err = wsheap_alloc(heap, msg->body_len, (void **)&msg->body);
		if (err)
			return err;
		memset(msg->body, 0xa5, msg->body_len);
	}
	*out = msg;
	return 0;
}

static int __init wsheap_sample_init(void)
{
	struct sample_message *msg;
	struct wsheap_sizes used, kept;
	unsigned int n;
	int err;

	/*
	 * At most 64 KiB per message.  A reset keeps the largest chunks of
	 * memory that fit in 8 KiB together: here the heap's first page, while
	 * the chunk that message 3's 20000-byte body needed goes back.
	 */
	sample_heap = wsheap_create(SZ_64K, SZ_8K, GFP_KERNEL);
	if (IS_ERR(sample_heap))
		return PTR_ERR(sample_heap);

	for (n = 1; n <= ARRAY_SIZE(sample_messages); n++) {
		err = sample_parse(sample_heap, sample_messages[n - 1], &msg);
		if (!err)
			pr_info("message %u: %s %s, %u fields, body of %u bytes\n", n,
				sample_value(msg, "op"), sample_value(msg, "path"),
				msg->nr_fields, msg->body_len);
		else if (err == -EDQUOT || err == -EINVAL)
			/* A bad message is dropped; the driver goes on. */
			pr_info("message %u: refused, %s\n", n, err == -EDQUOT ?
				"over the heap's max size (-EDQUOT)" : "malformed (-EINVAL)");
		else
			goto err_destroy_heap;

		wsheap_get_sizes(sample_heap, &used);
		/* Done with the message: everything allocated for it goes at once. */
		wsheap_reset(sample_heap);
		wsheap_get_sizes(sample_heap, &kept);
		pr_info("  heap: %zu bytes requested, %zu held; %zu kept by the reset\n",
			used.requested_size, used.actual_size, kept.actual_size);
	}
	pr_info("%zu messages, one heap (max size %zu, trim size %zu), kept until rmmod\n",
		ARRAY_SIZE(sample_messages), kept.max_size, kept.trim_size);
	return 0;

err_destroy_heap:
	wsheap_destroy(sample_heap);
	return err;
}
module_init(wsheap_sample_init);

static void __exit wsheap_sample_exit(void)
{
	wsheap_destroy(sample_heap);
	pr_info("heap destroyed\n");
}
module_exit(wsheap_sample_exit);

MODULE_DESCRIPTION("Sample driver using wsheap's in-kernel heaps");
MODULE_LICENSE("GPL");
