/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* One WrWsLoop per I/O thread, and one on the owner's thread (TLS, or
 * everything without I/O threads).
 *
 * A handle belongs to the owner; its inner connection to the loop's
 * thread, which alone reads and writes handle->inner. The owner talks
 * to an I/O thread by commands (add, send, ping, close, abort), queued
 * without a lock during a batch and moved to the thread's locked queue
 * at the batch's end, one eventfd write per thread and batch. The
 * threads answer by events (message, too large, silent, closed) in one
 * locked inbox, woken once when it goes from empty to not empty.
 *
 * A handle is freed at its last reference: one for the owner (until the
 * closed event or the abort), one for the inner connection (until it is
 * closed, aborted or dropped) and one per queued command or event. */

#include "ws-pool.h"
#include "source-util.h"

#include <errno.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define HOUSEKEEPING_S 1
/* Nobody waits for anybody, and what is queued between threads is
 * bounded: with more than this read and not yet taken by the main
 * thread, an I/O thread pauses its loop until the main thread took it;
 * with more than this queued for an I/O thread, the main thread takes
 * no more input until that thread took its queue. The sockets' kernel
 * buffers then fill and push back on the senders, as with one thread. */
#define QUEUE_MAX_BYTES (4 * 1024 * 1024)

/* commands go to an I/O thread, events come from one */
typedef enum
{
  CMD_ADD,
  CMD_SEND,                     /* data: a GRefString */
  CMD_PING,
  CMD_CLOSE,
  CMD_ABORT,
  EV_MESSAGE,
  EV_BINARY,
  EV_TOO_LARGE,
  EV_SILENT,
  EV_CLOSED,
} ItemType;

/* a command or an event */
typedef struct
{
  guint type;
  gushort code;
  WrWsHandle *handle;
  gchar *data;                  /* SEND, MESSAGE: owned, NUL-terminated */
  gsize len;
  gint64 arg;                   /* ADD: the fd; PING: silent since */
} Item;

typedef struct
{
  WrWsPool *pool;
  gboolean threaded;            /* FALSE: the owner's loop */
  GThread *thread;
  GMainContext *context;
  WrWsLoop *loop;               /* used on the thread only */
  GSource *wake_source;
  GSource *housekeeping;
  gint efd;
  GMutex lock;
  GArray *queue;                /* Item, under lock */
  gsize queue_bytes;            /* under lock */
  gboolean stop;                /* under lock */
  gint paused;                  /* atomic: the loop waits for the inbox */
  GArray *outgoing;             /* Item, the owner's, not yet queued */
  gsize outgoing_bytes;
  GArray *work;                 /* Item, the thread's, being run */
} Worker;

struct _WrWsPool
{
  WrWsPoolCallbacks callbacks;
  gpointer user_data;
  gint64 closing_timeout_us;
  Worker local;                 /* no thread: loop and housekeeping only */
  Worker *workers;
  guint n_workers;
  guint next_worker;
  guint n_connections;
  guint depth;
  GMutex lock;
  GArray *inbox;                /* Item, under lock */
  gsize inbox_bytes;            /* under lock */
  gint throttled;               /* atomic: waits for an I/O thread's queue */
  gsize queue_max;              /* QUEUE_MAX_BYTES */
  GArray *delivering;           /* Item, the owner's */
  gint efd;
  GSource *wake_source;
};

struct _WrWsHandle
{
  gint ref;
  Worker *worker;               /* its loop's */
  WrWsConn *inner;              /* the loop thread's */
  gpointer data;
  /* the owner's */
  guint open:1;
  guint gone:1;                 /* closed delivered, or aborted */
};

static WrWsHandle *
handle_ref (WrWsHandle * handle)
{
  g_atomic_int_inc (&handle->ref);
  return handle;
}

static void
handle_unref (WrWsHandle * handle)
{
  if (g_atomic_int_dec_and_test (&handle->ref))
    g_free (handle);
}

static void
item_clear (Item * item)
{
  if (item->type == CMD_SEND)
    g_ref_string_release (item->data);
  else
    g_free (item->data);
  /* an add that did not run */
  if (item->type == CMD_ADD && item->arg >= 0)
    close ((gint) item->arg);
  handle_unref (item->handle);
}

static void
items_drop (GArray * items)
{
  guint i;

  for (i = 0; i < items->len; i++)
    item_clear (&g_array_index (items, Item, i));
  g_array_set_size (items, 0);
}

static void
wake (gint efd)
{
  guint64 one = 1;

  while (write (efd, &one, sizeof one) < 0 && errno == EINTR);
}

static void
unwake (gint efd)
{
  guint64 count;

  while (read (efd, &count, sizeof count) < 0 && errno == EINTR);
}

/* The owner's side: what the callbacks see */

static void
deliver (WrWsPool * pool, Item * item)
{
  WrWsHandle *handle = item->handle;

  if (handle->gone)
    return;
  switch (item->type) {
    case EV_MESSAGE:
    case EV_BINARY:
      pool->callbacks.message (handle, item->type == EV_MESSAGE, item->data,
          item->len, pool->user_data);
      break;
    case EV_TOO_LARGE:
      pool->callbacks.too_large (handle, pool->user_data);
      break;
    case EV_SILENT:
      if (handle->open)
        pool->callbacks.silent (handle, pool->user_data);
      break;
    case EV_CLOSED:
      handle->open = FALSE;
      handle->gone = TRUE;
      pool->n_connections--;
      pool->callbacks.closed (handle, item->code, pool->user_data);
      /* the owner's reference */
      handle_unref (handle);
      break;
    default:
      g_assert_not_reached ();
  }
}

/* Set before looking, so that a thread taking its queue after the look
 * sees it and wakes the main thread */
static gboolean
workers_behind (WrWsPool * pool)
{
  guint i;

  g_atomic_int_set (&pool->throttled, TRUE);
  for (i = 0; i < pool->n_workers; i++) {
    Worker *worker = &pool->workers[i];
    gboolean behind;

    g_mutex_lock (&worker->lock);
    behind = worker->queue_bytes > pool->queue_max;
    g_mutex_unlock (&worker->lock);
    if (behind)
      return TRUE;
  }
  g_atomic_int_set (&pool->throttled, FALSE);
  return FALSE;
}

static gboolean
on_inbox (gint fd, GIOCondition condition, gpointer user_data)
{
  WrWsPool *pool = user_data;
  GArray *events;
  guint i;

  unwake (pool->efd);
  /* woken again by the thread that catches up */
  if (workers_behind (pool))
    return G_SOURCE_CONTINUE;
  g_mutex_lock (&pool->lock);
  events = pool->inbox;
  pool->inbox = pool->delivering;
  pool->delivering = events;
  pool->inbox_bytes = 0;
  g_mutex_unlock (&pool->lock);
  for (i = 0; i < pool->n_workers; i++) {
    if (g_atomic_int_get (&pool->workers[i].paused))
      wake (pool->workers[i].efd);
  }

  /* what the callbacks send goes out once, after all of them */
  wr_ws_pool_begin (pool);
  for (i = 0; i < events->len; i++)
    deliver (pool, &g_array_index (events, Item, i));
  items_drop (events);
  wr_ws_pool_end (pool);
  return G_SOURCE_CONTINUE;
}

/* Events of the owner's loop come at once */
static void
post_event (WrWsPool * pool, Item * item)
{
  Worker *worker = item->handle->worker;
  gboolean was_empty, over;

  if (!worker->threaded) {
    deliver (pool, item);
    item_clear (item);
    return;
  }
  g_mutex_lock (&pool->lock);
  was_empty = pool->inbox->len == 0;
  g_array_append_vals (pool->inbox, item, 1);
  pool->inbox_bytes += sizeof (Item) + item->len;
  /* the main thread is behind: it wakes this thread once it took all
   * (set under the lock of its taking, so that it sees it) */
  over = pool->inbox_bytes > pool->queue_max
      && !g_atomic_int_get (&worker->paused);
  if (over)
    g_atomic_int_set (&worker->paused, TRUE);
  g_mutex_unlock (&pool->lock);
  if (was_empty)
    wake (pool->efd);
  if (over)
    wr_ws_loop_pause (worker->loop, TRUE);
}

/* The thread's loop was paused for the inbox: resumed once it is taken */
static void
maybe_resume (Worker * worker)
{
  WrWsPool *pool = worker->pool;
  gboolean over;

  if (!g_atomic_int_get (&worker->paused))
    return;
  g_mutex_lock (&pool->lock);
  over = pool->inbox_bytes > pool->queue_max;
  g_mutex_unlock (&pool->lock);
  if (over)
    return;
  g_atomic_int_set (&worker->paused, FALSE);
  wr_ws_loop_pause (worker->loop, FALSE);
}

/* Callbacks of the inner loops (the loop's thread); the handle's
 * reference goes with the item */

static WrWsPool *
loop_pool (gpointer user_data)
{
  return ((Worker *) user_data)->pool;
}

static void
on_inner_message (WrWsConn * conn, gboolean text, const gchar * data,
    gsize len, gpointer user_data)
{
  WrWsHandle *handle = wr_ws_conn_get_data (conn);
  WrWsPool *pool = loop_pool (user_data);
  Item item = {.type = text ? EV_MESSAGE : EV_BINARY,.len = len };

  if (!handle->worker->threaded) {
    /* no copy on the owner's thread */
    if (!handle->gone)
      pool->callbacks.message (handle, text, data, len, pool->user_data);
    return;
  }
  item.handle = handle_ref (handle);
  item.data = g_malloc (len + 1);
  memcpy (item.data, data, len);
  item.data[len] = '\0';
  post_event (pool, &item);
}

static void
on_inner_too_large (WrWsConn * conn, gpointer user_data)
{
  Item item = {.type = EV_TOO_LARGE };

  item.handle = handle_ref (wr_ws_conn_get_data (conn));
  post_event (loop_pool (user_data), &item);
}

static void
on_inner_closed (WrWsConn * conn, gushort code, gpointer user_data)
{
  WrWsHandle *handle = wr_ws_conn_get_data (conn);
  /* the inner connection's reference goes to the event */
  Item item = {.type = EV_CLOSED,.code = code,.handle = handle };

  handle->inner = NULL;
  post_event (loop_pool (user_data), &item);
}

static void
on_inner_dropped (WrWsConn * conn, gpointer user_data)
{
  WrWsHandle *handle = wr_ws_conn_get_data (conn);

  handle->inner = NULL;
  handle_unref (handle);
}

static const WrWsCallbacks inner_callbacks = {
  .message = on_inner_message,
  .too_large = on_inner_too_large,
  .closed = on_inner_closed,
  .dropped = on_inner_dropped,
};

/* Commands, run on the handle's loop thread */

static void
run_ping (WrWsPool * pool, WrWsHandle * handle, gint64 silent_since)
{
  if (wr_ws_conn_get_last_seen (handle->inner) < silent_since) {
    Item item = {.type = EV_SILENT };

    item.handle = handle_ref (handle);
    post_event (pool, &item);
    return;
  }
  wr_ws_conn_ping (handle->inner);
}

static void
run_command (WrWsPool * pool, WrWsLoop * loop, Item * item)
{
  WrWsHandle *handle = item->handle;

  if (item->type == CMD_ADD) {
    handle->inner = wr_ws_loop_add_fd (loop, (gint) item->arg,
        handle_ref (handle));
    item->arg = -1;
    return;
  }
  /* ended meanwhile: the closed event is on its way */
  if (!handle->inner)
    return;
  switch (item->type) {
    case CMD_SEND:
      wr_ws_conn_send_text (handle->inner, item->data, item->len);
      break;
    case CMD_PING:
      run_ping (pool, handle, item->arg);
      break;
    case CMD_CLOSE:
      wr_ws_conn_close (handle->inner, item->code);
      break;
    case CMD_ABORT:
      wr_ws_conn_abort (handle->inner);
      handle->inner = NULL;
      handle_unref (handle);
      break;
    default:
      g_assert_not_reached ();
  }
}

static gboolean
on_worker_wake (gint fd, GIOCondition condition, gpointer user_data)
{
  Worker *worker = user_data;
  GArray *work;
  guint i;

  unwake (worker->efd);
  g_mutex_lock (&worker->lock);
  work = worker->queue;
  worker->queue = worker->work;
  worker->work = work;
  worker->queue_bytes = 0;
  g_mutex_unlock (&worker->lock);
  if (g_atomic_int_get (&worker->pool->throttled))
    wake (worker->pool->efd);
  maybe_resume (worker);

  wr_ws_loop_begin (worker->loop);
  for (i = 0; i < work->len; i++)
    run_command (worker->pool, worker->loop, &g_array_index (work, Item, i));
  wr_ws_loop_end (worker->loop);
  items_drop (work);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_housekeeping (gpointer user_data)
{
  Worker *worker = user_data;

  wr_ws_loop_expire_closing (worker->loop, worker->pool->closing_timeout_us);
  wr_ws_loop_trim (worker->loop);
  return G_SOURCE_CONTINUE;
}

static GSource *
housekeeping_new (Worker * worker, GMainContext * context)
{
  GSource *source = g_timeout_source_new_seconds (HOUSEKEEPING_S);

  g_source_set_callback (source, on_housekeeping, worker, NULL);
  g_source_attach (source, context);
  return source;
}

static gboolean
worker_stopped (Worker * worker)
{
  gboolean stop;

  g_mutex_lock (&worker->lock);
  stop = worker->stop;
  g_mutex_unlock (&worker->lock);
  return stop;
}

static gpointer
worker_run (gpointer user_data)
{
  Worker *worker = user_data;

  g_main_context_push_thread_default (worker->context);
  while (!worker_stopped (worker))
    g_main_context_iteration (worker->context, TRUE);
  /* the loop goes on this thread: its dropped callbacks release the
   * handles' references */
  wr_source_clear (&worker->wake_source);
  wr_source_clear (&worker->housekeeping);
  g_clear_pointer (&worker->loop, wr_ws_loop_free);
  g_main_context_pop_thread_default (worker->context);
  return NULL;
}

static gboolean
worker_start (WrWsPool * pool, Worker * worker, guint index,
    gsize max_message_size, GError ** error)
{
  g_autofree gchar *name = g_strdup_printf ("ws-io-%u", index);

  worker->pool = pool;
  worker->threaded = TRUE;
  g_mutex_init (&worker->lock);
  worker->queue = g_array_new (FALSE, FALSE, sizeof (Item));
  worker->outgoing = g_array_new (FALSE, FALSE, sizeof (Item));
  worker->work = g_array_new (FALSE, FALSE, sizeof (Item));
  worker->efd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (worker->efd < 0) {
    gint saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
        "eventfd: %s", g_strerror (saved));
    return FALSE;
  }
  worker->context = g_main_context_new ();
  /* made here, attached to the worker's context, run there */
  g_main_context_push_thread_default (worker->context);
  worker->loop = wr_ws_loop_new (&inner_callbacks, worker, max_message_size,
      error);
  g_main_context_pop_thread_default (worker->context);
  if (!worker->loop)
    return FALSE;
  worker->wake_source = g_unix_fd_source_new (worker->efd, G_IO_IN);
  g_source_set_callback (worker->wake_source, (GSourceFunc) on_worker_wake,
      worker, NULL);
  g_source_attach (worker->wake_source, worker->context);
  worker->housekeeping = housekeeping_new (worker, worker->context);
  worker->thread = g_thread_try_new (name, worker_run, worker, error);
  return worker->thread != NULL;
}

static void
worker_stop (Worker * worker)
{
  if (worker->thread) {
    g_mutex_lock (&worker->lock);
    worker->stop = TRUE;
    g_mutex_unlock (&worker->lock);
    wake (worker->efd);
    g_thread_join (worker->thread);
  }
  /* not started, or what it did not run */
  wr_source_clear (&worker->wake_source);
  wr_source_clear (&worker->housekeeping);
  g_clear_pointer (&worker->loop, wr_ws_loop_free);
  if (worker->queue) {
    items_drop (worker->outgoing);
    items_drop (worker->queue);
    g_array_unref (worker->outgoing);
    g_array_unref (worker->queue);
    g_array_unref (worker->work);
  }
  if (worker->context)
    g_main_context_unref (worker->context);
  if (worker->efd >= 0)
    close (worker->efd);
  g_mutex_clear (&worker->lock);
}

WrWsPool *
wr_ws_pool_new (const WrWsPoolCallbacks * callbacks, gpointer user_data,
    gsize max_message_size, guint n_threads, gint64 closing_timeout_us,
    GError ** error)
{
  WrWsPool *pool = g_new0 (WrWsPool, 1);
  guint i;

  pool->callbacks = *callbacks;
  pool->user_data = user_data;
  pool->closing_timeout_us = closing_timeout_us;
  pool->queue_max = QUEUE_MAX_BYTES;
  /* tests: a tiny bound pauses and throttles at every message */
  if (g_getenv ("WEBRTC_ROOM_SERVER_QUEUE_BYTES"))
    pool->queue_max = g_ascii_strtoull (g_getenv
        ("WEBRTC_ROOM_SERVER_QUEUE_BYTES"), NULL, 10);
  pool->efd = -1;
  g_mutex_init (&pool->lock);
  pool->inbox = g_array_new (FALSE, FALSE, sizeof (Item));
  pool->delivering = g_array_new (FALSE, FALSE, sizeof (Item));
  pool->local.pool = pool;
  pool->local.efd = -1;
  pool->local.loop = wr_ws_loop_new (&inner_callbacks, &pool->local,
      max_message_size, error);
  if (!pool->local.loop)
    goto failed;
  pool->local.housekeeping = housekeeping_new (&pool->local,
      g_main_context_get_thread_default ());
  if (n_threads == 0)
    return pool;

  pool->efd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (pool->efd < 0) {
    gint saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
        "eventfd: %s", g_strerror (saved));
    goto failed;
  }
  pool->wake_source = g_unix_fd_source_new (pool->efd, G_IO_IN);
  g_source_set_callback (pool->wake_source, (GSourceFunc) on_inbox, pool, NULL);
  g_source_attach (pool->wake_source, g_main_context_get_thread_default ());
  pool->workers = g_new0 (Worker, n_threads);
  for (i = 0; i < n_threads; i++)
    pool->workers[i].efd = -1;
  pool->n_workers = n_threads;
  for (i = 0; i < n_threads; i++) {
    if (!worker_start (pool, &pool->workers[i], i, max_message_size, error))
      goto failed;
  }
  return pool;

failed:
  wr_ws_pool_free (pool);
  return NULL;
}

void
wr_ws_pool_free (WrWsPool * pool)
{
  guint i;

  if (!pool)
    return;
  for (i = 0; i < pool->n_workers; i++)
    worker_stop (&pool->workers[i]);
  g_free (pool->workers);
  wr_source_clear (&pool->wake_source);
  wr_source_clear (&pool->local.housekeeping);
  g_clear_pointer (&pool->local.loop, wr_ws_loop_free);
  items_drop (pool->inbox);
  g_array_unref (pool->inbox);
  g_array_unref (pool->delivering);
  if (pool->efd >= 0)
    close (pool->efd);
  g_mutex_clear (&pool->lock);
  g_free (pool);
}

guint
wr_ws_pool_get_n_threads (WrWsPool * pool)
{
  return pool->n_workers;
}

static void
publish (Worker * worker)
{
  gboolean was_empty;

  if (worker->outgoing->len == 0)
    return;
  g_mutex_lock (&worker->lock);
  was_empty = worker->queue->len == 0;
  g_array_append_vals (worker->queue, worker->outgoing->data,
      worker->outgoing->len);
  worker->queue_bytes += worker->outgoing_bytes;
  g_mutex_unlock (&worker->lock);
  /* moved: no item_clear */
  g_array_set_size (worker->outgoing, 0);
  worker->outgoing_bytes = 0;
  if (was_empty)
    wake (worker->efd);
}

static void
publish_all (WrWsPool * pool)
{
  guint i;

  for (i = 0; i < pool->n_workers; i++)
    publish (&pool->workers[i]);
}

static void
queue_command (WrWsHandle * handle, ItemType type, gchar * data, gsize len,
    gushort code, gint64 arg)
{
  Worker *worker = handle->worker;
  Item item = {.type = type,.code = code,.data = data,.len = len,.arg = arg };

  item.handle = handle_ref (handle);
  g_array_append_vals (worker->outgoing, &item, 1);
  worker->outgoing_bytes += sizeof (Item) + len;
  if (worker->pool->depth == 0)
    publish (worker);
}

void
wr_ws_pool_begin (WrWsPool * pool)
{
  pool->depth++;
  wr_ws_loop_begin (pool->local.loop);
}

void
wr_ws_pool_end (WrWsPool * pool)
{
  g_assert (pool->depth > 0);
  pool->depth--;
  wr_ws_loop_end (pool->local.loop);
  if (pool->depth == 0)
    publish_all (pool);
}

void
wr_ws_pool_flush (WrWsPool * pool)
{
  wr_ws_loop_flush (pool->local.loop);
  if (pool->depth == 0)
    publish_all (pool);
}

guint
wr_ws_pool_get_n_connections (WrWsPool * pool)
{
  return pool->n_connections;
}

static WrWsHandle *
handle_new (WrWsPool * pool, Worker * worker, gpointer data)
{
  WrWsHandle *handle = g_new0 (WrWsHandle, 1);

  /* the owner's reference */
  handle->ref = 1;
  handle->worker = worker;
  handle->data = data;
  handle->open = TRUE;
  pool->n_connections++;
  return handle;
}

WrWsHandle *
wr_ws_pool_add_fd (WrWsPool * pool, gint fd, gpointer data)
{
  WrWsHandle *handle;

  if (pool->n_workers == 0) {
    handle = handle_new (pool, &pool->local, data);
    handle->inner = wr_ws_loop_add_fd (pool->local.loop, fd,
        handle_ref (handle));
    return handle;
  }
  handle = handle_new (pool, &pool->workers[pool->next_worker], data);
  pool->next_worker = (pool->next_worker + 1) % pool->n_workers;
  queue_command (handle, CMD_ADD, NULL, 0, 0, fd);
  return handle;
}

WrWsHandle *
wr_ws_pool_add_stream (WrWsPool * pool, GIOStream * stream, gpointer data)
{
  WrWsHandle *handle = handle_new (pool, &pool->local, data);

  handle->inner = wr_ws_loop_add_stream (pool->local.loop, stream,
      handle_ref (handle));
  return handle;
}

gpointer
wr_ws_handle_get_data (WrWsHandle * handle)
{
  return handle->data;
}

gboolean
wr_ws_handle_is_open (WrWsHandle * handle)
{
  if (!handle->open || handle->gone)
    return FALSE;
  /* a local one also ends when its peer stops reading */
  return handle->worker->threaded || (handle->inner
      && wr_ws_conn_is_open (handle->inner));
}

void
wr_ws_handle_send_frame (WrWsHandle * handle, const gchar * frame)
{
  Worker *worker = handle->worker;

  if (!wr_ws_handle_is_open (handle))
    return;
  if (!worker->threaded) {
    wr_ws_conn_send_text (handle->inner, frame, g_ref_string_length
        ((gchar *) frame));
    return;
  }
  /* shared, not copied: one frame often goes to a whole room */
  queue_command (handle, CMD_SEND, g_ref_string_acquire ((gchar *) frame),
      g_ref_string_length ((gchar *) frame), 0, 0);
}

void
wr_ws_handle_ping (WrWsHandle * handle, gint64 silent_since)
{
  if (!wr_ws_handle_is_open (handle))
    return;
  if (!handle->worker->threaded)
    run_ping (handle->worker->pool, handle, silent_since);
  else
    queue_command (handle, CMD_PING, NULL, 0, 0, silent_since);
}

void
wr_ws_handle_close (WrWsHandle * handle, gushort code)
{
  if (!wr_ws_handle_is_open (handle))
    return;
  handle->open = FALSE;
  if (!handle->worker->threaded)
    wr_ws_conn_close (handle->inner, code);
  else
    queue_command (handle, CMD_CLOSE, NULL, 0, code, 0);
}

void
wr_ws_handle_abort (WrWsHandle * handle)
{
  WrWsPool *pool = handle->worker->pool;

  if (handle->gone)
    return;
  handle->open = FALSE;
  handle->gone = TRUE;
  pool->n_connections--;
  if (!handle->worker->threaded) {
    if (handle->inner) {
      wr_ws_conn_abort (handle->inner);
      handle->inner = NULL;
      handle_unref (handle);
    }
  } else {
    queue_command (handle, CMD_ABORT, NULL, 0, 0, 0);
  }
  /* the owner's reference */
  handle_unref (handle);
}
