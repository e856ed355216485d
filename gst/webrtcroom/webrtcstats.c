/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* webrtcbin's get-stats with a bounded wait (split from peersession.c) */

#include "peersession-private.h"

GST_DEBUG_CATEGORY_EXTERN (gst_webrtc_room_debug);
#define GST_CAT_DEFAULT gst_webrtc_room_debug

typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean changed;
} PromiseWaiter;

static void
promise_waiter_clear (PromiseWaiter * w)
{
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
}

static void
promise_waiter_unref (gpointer w)
{
  g_atomic_rc_box_release_full (w, (GDestroyNotify) promise_waiter_clear);
}

static void
on_stats_promise_changed (GstPromise * promise, gpointer user_data)
{
  PromiseWaiter *w = user_data;

  g_mutex_lock (&w->lock);
  w->changed = TRUE;
  g_cond_broadcast (&w->cond);
  g_mutex_unlock (&w->lock);
}

/* webrtcbin's get-stats, waiting at most @timeout_ms: a webrtcbin closed
 * between queueing the request and running it may never answer, and the
 * caller (an application thread) must not hang on it. */
GstStructure *
gst_webrtc_room_webrtcbin_get_stats (GstElement * webrtcbin, guint timeout_ms)
{
  PromiseWaiter *w = g_atomic_rc_box_new0 (PromiseWaiter);
  GstPromise *promise;
  GstStructure *stats = NULL;
  gint64 deadline =
      g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean changed;

  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  promise = gst_promise_new_with_change_func (on_stats_promise_changed,
      g_atomic_rc_box_acquire (w), promise_waiter_unref);
  g_signal_emit_by_name (webrtcbin, "get-stats", NULL, promise);
  g_mutex_lock (&w->lock);
  while (!w->changed && g_cond_wait_until (&w->cond, &w->lock, deadline));
  changed = w->changed;
  g_mutex_unlock (&w->lock);
  if (!changed) {
    GST_WARNING_OBJECT (webrtcbin, "no stats after %u ms", timeout_ms);
    gst_promise_interrupt (promise);
  } else if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED) {
    const GstStructure *reply = gst_promise_get_reply (promise);
    if (reply && !gst_structure_has_field (reply, "error"))
      stats = gst_structure_copy (reply);
  }
  gst_promise_unref (promise);
  promise_waiter_unref (w);
  return stats;
}
