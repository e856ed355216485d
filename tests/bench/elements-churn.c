/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Element churn (issue 11): a webrtcroombin in this process sends video to a
 * room where --peers remote viewers (room-peer --mode src processes) at a
 * time keep joining, receiving --frames frames and leaving, for --duration
 * seconds (an exited viewer is replaced at once). The baseline is taken
 * after a warm-up: one viewer, then one full cycle of --warm-peers viewers
 * at once, every one gone and --settle seconds later. Prints this
 * process's RSS, malloc's heap in use and free (mallinfo2), threads and
 * live webrtcbins idle, warm, after each cycle of --peers viewers during
 * the churn, at the peak and at the end, with the drift against the
 * baseline, then the same after malloc_trim (0). Run it in a private
 * network namespace (elements-churn.sh does). */

#include <gio/gio.h>
#include <gst/gst.h>
#include <malloc.h>
#include <string.h>

#include "testserver.h"

typedef struct
{
  GMutex lock;
  guint joined;
  guint left;
  gchar *error;
} Counters;

static gint webrtcbins_made, webrtcbins_freed;

static void
on_webrtcbin_finalized (gpointer data, GObject * where)
{
  g_atomic_int_inc (&webrtcbins_freed);
}

/* counts webrtcbins made and finalized: a peer connection that outlives
 * its peer keeps threads (libnice's) */
static void
on_element_added (GstBin * pipeline, GstBin * bin, GstElement * element,
    gpointer data)
{
  GstElementFactory *f = gst_element_get_factory (element);

  if (f && g_str_equal (GST_OBJECT_NAME (f), "webrtcbin")) {
    g_atomic_int_inc (&webrtcbins_made);
    g_object_weak_ref (G_OBJECT (element), on_webrtcbin_finalized, NULL);
  }
}

/* heap_kib: malloc'd and in use (all arenas); free_kib: freed but kept by
 * malloc (in arenas, not returned); rss_kib - heap_kib - free_kib is code,
 * stacks and the other mappings */
typedef struct
{
  guint rss_kib;
  guint threads;
  guint heap_kib;
  guint free_kib;
  gint webrtcbins;
} Sample;

static gint peers = 20;
static gint warm_peers = -1;
static gint duration_s = 60;
static gint frames = 30;
static gint settle_s = 5;

static Sample
sample (void)
{
  Sample s = { 0, };
  g_autofree gchar *status = NULL;
  const gchar *line;
  struct mallinfo2 mi = mallinfo2 ();

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL)) {
    if ((line = strstr (status, "VmRSS:")))
      s.rss_kib = g_ascii_strtoull (line + 6, NULL, 10);
    if ((line = strstr (status, "Threads:")))
      s.threads = g_ascii_strtoull (line + 8, NULL, 10);
  }
  s.heap_kib = (mi.uordblks + mi.hblkhd) / 1024;
  s.free_kib = mi.fordblks / 1024;
  s.webrtcbins = g_atomic_int_get (&webrtcbins_made) -
      g_atomic_int_get (&webrtcbins_freed);
  return s;
}

static void
print_sample (const gchar * what, Sample s)
{
  g_print ("%-36s RSS %6.1f MB  heap in use %6.1f MB  free %5.1f MB  "
      "threads %4u  webrtcbins %3d\n", what, s.rss_kib / 1024.0,
      s.heap_kib / 1024.0, s.free_kib / 1024.0, s.threads, s.webrtcbins);
}

static void
print_drift (const gchar * what, Sample s, Sample base)
{
  g_print ("drift %-8s vs warm: RSS %+.1f MB (%+.1f %%), heap in use "
      "%+.1f MB (%+.1f %%), threads %+d, webrtcbins alive %d\n", what,
      ((gint) s.rss_kib - (gint) base.rss_kib) / 1024.0,
      100.0 * ((gint) s.rss_kib - (gint) base.rss_kib) / base.rss_kib,
      ((gint) s.heap_kib - (gint) base.heap_kib) / 1024.0,
      100.0 * ((gint) s.heap_kib - (gint) base.heap_kib) / base.heap_kib,
      (gint) s.threads - (gint) base.threads, s.webrtcbins);
}

/* "name xN" of this process's threads, to tell what stayed */
static gchar *
thread_names (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_str_hash,
      g_str_equal, g_free, NULL);
  GString *out = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;
  const gchar *tid;

  while (dir && (tid = g_dir_read_name (dir))) {
    g_autofree gchar *path = g_strdup_printf ("/proc/self/task/%s/comm", tid);
    gchar *comm = NULL;
    if (g_file_get_contents (path, &comm, NULL, NULL)) {
      g_strstrip (comm);
      g_hash_table_insert (names, comm, GUINT_TO_POINTER (GPOINTER_TO_UINT
              (g_hash_table_lookup (names, comm)) + 1));
    }
  }
  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_string_append_printf (out, "%s%s x%u", out->len ? ", " : "",
        (gchar *) key, GPOINTER_TO_UINT (value));
  return g_string_free (out, FALSE);
}

static GstBusSyncReply
on_message (GstBus * bus, GstMessage * msg, Counters * c)
{
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) err = NULL;
    gst_message_parse_error (msg, &err, NULL);
    g_mutex_lock (&c->lock);
    if (!c->error)
      c->error = g_strdup (err->message);
    g_mutex_unlock (&c->lock);
  }
  /* a sync handler that drops a message owns it (GstBusSyncHandler) */
  gst_message_unref (msg);
  return GST_BUS_DROP;
}

static void
on_peer_joined (GstElement * room, const gchar * id, const gchar * name,
    Counters * c)
{
  g_mutex_lock (&c->lock);
  c->joined++;
  g_mutex_unlock (&c->lock);
}

static void
on_peer_left (GstElement * room, const gchar * id, const gchar * reason,
    Counters * c)
{
  g_mutex_lock (&c->lock);
  c->left++;
  g_mutex_unlock (&c->lock);
}

/* remote tracks (none expected from viewers) go to a fakesink */
static void
on_pad_added (GstElement * room, GstPad * pad, GstElement * pipeline)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr (GstPad) sinkpad = NULL;

  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  sinkpad = gst_element_get_static_pad (sink, "sink");
  gst_pad_link (pad, sinkpad);
}

/* With GST_TRACERS=leaks: tracking starts at the baseline; at the end, the
 * GstObjects and GstMiniObjects made since and still alive, by type */
static GstTracer *
leaks_tracer (void)
{
  GList *tracers = gst_tracing_get_active_tracers (), *l;
  GstTracer *found = NULL;

  for (l = tracers; l; l = l->next)
    if (!found && g_str_equal (G_OBJECT_TYPE_NAME (l->data), "GstLeaksTracer"))
      found = gst_object_ref (l->data);
  g_list_free_full (tracers, gst_object_unref);
  return found;
}

/* address -> (made - destroyed) over a checkpoint's list */
static void
count_addresses (const GstStructure * checkpoint, const gchar * field,
    GHashTable * counts, gint delta, GHashTable * types)
{
  const GValue *list = gst_structure_get_value (checkpoint, field);
  guint i, n = list ? gst_value_list_get_size (list) : 0;

  for (i = 0; i < n; i++) {
    const GstStructure *s =
        gst_value_get_structure (gst_value_list_get_value (list, i));
    const gchar *address = gst_structure_get_string (s, "address");
    gpointer addr;
    gint count;

    if (!address)
      continue;
    /* "%p" */
    addr = GSIZE_TO_POINTER (g_ascii_strtoull (address, NULL, 16));
    count = GPOINTER_TO_INT (g_hash_table_lookup (counts, addr)) + delta;
    g_hash_table_insert (counts, addr, GINT_TO_POINTER (count));
    if (types)
      g_hash_table_insert (types, addr,
          (gpointer) g_intern_string (gst_structure_get_string (s,
                  "type-name")));
  }
}

static void
print_new_objects (GstTracer * tracer)
{
  GstStructure *checkpoint = NULL;
  g_autoptr (GHashTable) counts = g_hash_table_new (NULL, NULL);
  g_autoptr (GHashTable) types = g_hash_table_new (NULL, NULL);
  g_autoptr (GHashTable) by_type = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key, value;
  guint total = 0;

  g_signal_emit_by_name (tracer, "activity-get-checkpoint", &checkpoint);
  g_signal_emit_by_name (tracer, "activity-stop-tracking");
  if (!checkpoint)
    return;
  count_addresses (checkpoint, "objects-created-list", counts, 1, types);
  count_addresses (checkpoint, "objects-removed-list", counts, -1, NULL);
  gst_structure_free (checkpoint);
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    const gchar *type = g_hash_table_lookup (types, key);
    gint n = GPOINTER_TO_INT (value);

    if (n <= 0 || !type)
      continue;
    g_hash_table_insert (by_type, (gpointer) type,
        GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (by_type,
                    type)) + n));
    total += n;
  }
  g_print ("objects made after warm and alive at the end (leaks tracer): "
      "%u\n", total);
  g_hash_table_iter_init (&iter, by_type);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_print ("  %6d %s\n", GPOINTER_TO_INT (value), (gchar *) key);
}

typedef struct
{
  const gchar *room_peer;
  gchar *url;
  guint running;
  guint started;
  guint ok;
  guint failed;
  guint base;                   /* viewers finished before the churn */
  guint cycles;                 /* cycles of --peers finished viewers printed */
} Spawner;

static void
on_peer_exit (GObject * source, GAsyncResult * result, gpointer data)
{
  Spawner *sp = data;
  GSubprocess *proc = G_SUBPROCESS (source);

  g_subprocess_wait_finish (proc, result, NULL);
  if (g_subprocess_get_if_exited (proc) && g_subprocess_get_exit_status (proc)
      == 0)
    sp->ok++;
  else
    sp->failed++;
  sp->running--;
  g_object_unref (proc);
}

static void
spawn_peer (Spawner * sp)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *name = g_strdup_printf ("viewer%u", sp->started);
  g_autofree gchar *min_frames = g_strdup_printf ("%d", frames);
  GSubprocess *proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
      G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, sp->room_peer, "--mode",
      "src", "--url", sp->url, "--room", "churn", "--name", name,
      "--no-decode", "--no-audio", "--min-frames", min_frames, "--expect-peers",
      "1",
      "--timeout", "30", NULL);

  if (!proc)
    g_error ("cannot start %s: %s", sp->room_peer, error->message);
  sp->started++;
  sp->running++;
  g_subprocess_wait_async (proc, NULL, on_peer_exit, sp);
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* prints a line each time another --peers viewers have finished */
static void
print_cycles (Spawner * sp)
{
  while (sp->ok + sp->failed - sp->base >= (sp->cycles + 1) * (guint) peers) {
    g_autofree gchar *what = NULL;
    sp->cycles++;
    what = g_strdup_printf ("cycle %u (%u viewers done)", sp->cycles,
        sp->ok + sp->failed - sp->base);
    print_sample (what, sample ());
  }
}

/* Iterates the default context for @ms (viewer exits are dispatched
 * there), sampling every 250 ms; with @keep_spawning, --peers viewers run
 * at all times. */
static void
run_for (guint ms, Sample * peak, Spawner * sp, gboolean keep_spawning)
{
  gboolean done = FALSE;
  guint id = g_timeout_add (ms, timeout_cb, &done);
  guint tick = g_timeout_add (250, tick_cb, NULL);

  while (!done) {
    Sample s;

    while (keep_spawning && sp->running < (guint) peers)
      spawn_peer (sp);
    g_main_context_iteration (NULL, TRUE);
    s = sample ();
    if (peak) {
      peak->rss_kib = MAX (peak->rss_kib, s.rss_kib);
      peak->heap_kib = MAX (peak->heap_kib, s.heap_kib);
      peak->free_kib = MAX (peak->free_kib, s.free_kib);
      peak->threads = MAX (peak->threads, s.threads);
      peak->webrtcbins = MAX (peak->webrtcbins, s.webrtcbins);
      print_cycles (sp);
    }
  }
  g_source_remove (tick);
  (void) id;
}

static gboolean
all_gone (Counters * c, Spawner * sp)
{
  gboolean gone;

  g_mutex_lock (&c->lock);
  gone = sp->running == 0 && c->left >= c->joined;
  g_mutex_unlock (&c->lock);
  return gone;
}

static void
wait_all_gone (Counters * c, Spawner * sp, guint max_ms, Sample * peak)
{
  gint64 deadline = g_get_monotonic_time () + max_ms * 1000;

  while (!all_gone (c, sp) && g_get_monotonic_time () < deadline)
    run_for (100, peak, sp, FALSE);
}

/* @n viewers at once, then waits until every one has gone and --settle s */
static void
run_cycle (Counters * c, Spawner * sp, gint n)
{
  for (gint i = 0; i < n; i++)
    spawn_peer (sp);
  wait_all_gone (c, sp, 90000, NULL);
  run_for (settle_s * 1000, NULL, sp, FALSE);
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    {"peers", 0, 0, G_OPTION_ARG_INT, &peers, "concurrent viewers (20)", "N"},
    {"duration", 0, 0, G_OPTION_ARG_INT, &duration_s, "seconds (60)", "S"},
    {"frames", 0, 0, G_OPTION_ARG_INT, &frames,
        "frames each viewer receives before leaving (30)", "N"},
    {"settle", 0, 0, G_OPTION_ARG_INT, &settle_s,
        "seconds after the last peer left (5)", "S"},
    {"warm-peers", 0, 0, G_OPTION_ARG_INT, &warm_peers,
        "viewers at once in the warm-up cycle, after a first one alone "
          "(--peers; 0: only the first one)", "N"},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- element churn");
  g_autoptr (GError) error = NULL;
  g_autofree gchar *desc = NULL;
  WrTestServer *server;
  GstElement *pipeline, *room;
  Counters c = { 0 };
  Spawner sp = { 0 };
  Sample idle, warm1, warm, peak, end, trimmed;
  guint warm_ok, warm_failed;
  g_autofree gchar *room_peer = NULL;
  g_autofree gchar *warm_threads = NULL;
  g_autofree gchar *end_threads = NULL;
  g_autoptr (GstTracer) tracer = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    return 2;
  }
  if (peers < 1 || duration_s < 0 || frames < 1 || settle_s < 0) {
    g_printerr ("--peers and --frames must be at least 1, --duration and "
        "--settle at least 0\n");
    return 2;
  }
  if (warm_peers < 0)
    warm_peers = peers;
  if (!g_getenv ("WEBRTC_ROOM_SERVER"))
    g_setenv ("WEBRTC_ROOM_SERVER", WR_BENCH_SERVER, TRUE);
  room_peer = g_strdup (g_getenv ("WEBRTC_ROOM_PEER") ?
      g_getenv ("WEBRTC_ROOM_PEER") : WR_BENCH_ROOM_PEER);
  g_mutex_init (&c.lock);

  {
    const gchar *args[] = { "--rate-limit", "0", NULL };
    server = wr_test_server_start (args, &error);
    g_assert_no_error (error);
  }
  sp.url = wr_test_server_get_ws_url (server);
  sp.room_peer = room_peer;
  desc = g_strdup_printf ("videotestsrc is-live=true ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! webrtcroombin "
      "name=room server-url=%s room=churn display-name=sender "
      "local-addresses=127.0.0.1 ice-tcp=false", sp.url);
  pipeline = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  gst_bus_set_sync_handler (GST_ELEMENT_BUS (pipeline),
      (GstBusSyncHandler) on_message, &c, NULL);
  room = gst_bin_get_by_name (GST_BIN (pipeline), "room");
  g_signal_connect (room, "peer-joined", G_CALLBACK (on_peer_joined), &c);
  g_signal_connect (room, "peer-left", G_CALLBACK (on_peer_left), &c);
  g_signal_connect (room, "pad-added", G_CALLBACK (on_pad_added), pipeline);
  g_signal_connect (pipeline, "deep-element-added",
      G_CALLBACK (on_element_added), NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  run_for (3000, NULL, &sp, FALSE);
  idle = sample ();
  print_sample ("idle (joined, no peer)", idle);
  /* warm-up: one viewer alone (codec state, plugin loading, first DTLS),
   * then a full cycle, so what the first peak leaves (thread-pool threads,
   * malloc's free lists, caches that grow to the largest room) is in the
   * baseline */
  run_cycle (&c, &sp, 1);
  warm1 = sample ();
  print_sample ("warm-up: 1 viewer came and left", warm1);
  if (warm_peers > 0) {
    g_autofree gchar *what = g_strdup_printf ("warm: %d viewers came and left",
        warm_peers);
    run_cycle (&c, &sp, warm_peers);
    warm = sample ();
    print_sample (what, warm);
  } else {
    warm = warm1;
  }
  warm_threads = thread_names ();
  peak = warm;
  if ((tracer = leaks_tracer ()))
    g_signal_emit_by_name (tracer, "activity-start-tracking");
  warm_ok = sp.ok;
  warm_failed = sp.failed;

  g_print ("churn: %d viewers at a time, each leaving after %d frames, "
      "for %d s\n", peers, frames, duration_s);
  sp.base = sp.ok + sp.failed;
  if (duration_s > 0)
    run_for (duration_s * 1000, &peak, &sp, TRUE);
  g_print ("spawning stopped: %u viewers started, %u running\n", sp.started,
      sp.running);
  wait_all_gone (&c, &sp, 90000, &peak);
  run_for (settle_s * 1000, NULL, &sp, FALSE);
  end = sample ();
  end_threads = thread_names ();
  if (tracer)
    print_new_objects (tracer);
  malloc_trim (0);
  trimmed = sample ();

  print_sample ("idle (joined, no peer)", idle);
  print_sample ("warm-up: 1 viewer came and left", warm1);
  print_sample ("warm (baseline)", warm);
  print_sample ("peak", peak);
  print_sample ("end (all gone, settled)", end);
  print_sample ("end after malloc_trim (0)", trimmed);
  g_print ("churn: %u cycles of %d viewers; viewers %u started (warm-up "
      "included), %u done in the churn, %u failed; element saw %u joined, "
      "%u left\n", sp.cycles, peers, sp.started, sp.ok - warm_ok,
      sp.failed - warm_failed, c.joined, c.left);
  print_drift ("end", end, warm);
  print_drift ("trimmed", trimmed, warm);
  g_print ("webrtcbins: %d made, %d finalized\n",
      g_atomic_int_get (&webrtcbins_made),
      g_atomic_int_get (&webrtcbins_freed));
  g_print ("threads warm: %s\nthreads end:  %s\n", warm_threads, end_threads);
  if (c.error)
    g_print ("ERROR on the bus: %s\n", c.error);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (room);
  gst_object_unref (pipeline);
  wr_test_server_stop (server);
  g_free (sp.url);
  return c.error ? 1 : 0;
}
