/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* One room participant for the multi-process tests and benchmarks: a real
 * pipeline with a room element, test sources and counting sinks. It prints
 * one line per event on stdout and exits 0 once every expectation is met,
 * 1 on error or timeout. */

#include <gst/gst.h>
#include <glib-unix.h>
#include <signal.h>
#include <gst/webrtcroom/webrtcroom.h>
#include <gst/webrtc/webrtc.h>
#include <stdio.h>
#include <string.h>

typedef struct
{
  GMainLoop *loop;
  GstElement *pipeline;
  GstElement *room;
  GMutex lock;
  GHashTable *video_frames;     /* peer id -> count */
  GHashTable *audio_frames;
  GHashTable *texts;            /* peer id -> last text */
  gint64 start_us;
  gint64 joined_us;
  gint64 first_frame_us;
  gint64 last_video_us;
  gint64 max_video_gap_us;
  GHashTable *peer_last_us;     /* peer id -> gint64 *: its last video frame */
  GHashTable *peer_gap_us;      /* peer id -> gint64 *: its longest silence */
  gint remove_audio_after_ms;   /* --remove-audio-after */
  gboolean report_frames;       /* --report-frames */
  gint exit_code;

  /* options */
  gchar *mode;
  gchar *url;
  gchar *room_name;
  gchar *display_name;
  gchar *codec;
  gboolean video;
  gboolean audio;
  gboolean offers;
  gboolean encoded_input;
  gboolean decode;
  gint expect_peers;
  gint min_frames;
  gchar *send_text;
  gboolean expect_text;
  gint timeout_s;
  gint stay_s;
  gint width;
  gint height;
  gint add_audio_after_ms;
  gint start_after_ms;
  gchar **props;                /* extra element properties NAME=VALUE */
  gchar *local_addresses;
  gboolean report_fps;
  gchar **agent_props;          /* libnice NiceAgent properties NAME=VALUE */
  gchar **element_props;        /* FACTORY:NAME=VALUE on every such element */
  gboolean wait_mark;           /* --wait-mark: done only after SIGUSR1 */
  gint stats_every_ms;          /* --stats-every: get-stats again and again */
  gboolean marked;
  gint viewers;                 /* --viewers: webrtcroomsrc elements hosted */
  GPtrArray *rooms;             /* every room element (the first is room) */
  GHashTable *viewer_stats;     /* element name -> ViewerStats* */
  gint sent_frames;             /* video frames into the room element */
  gint64 sent_first_us, sent_last_us;

  /* --report-fps: video frames per whole second since the first frame */
  GArray *fps;                  /* guint per second, good frames only */
  guint corrupted_frames;
  GPtrArray *jitterbuffers;     /* every rtpjitterbuffer, for their stats */
  gboolean path_printed;
  gboolean async_sinks;         /* --async-sinks */
} Peer;

/* --viewers: each hosted viewer's video frames, for its own fps */
typedef struct
{
  gint64 first_us;              /* first frame */
  gint64 last_us;
  guint frames;                 /* after the first 2 s (start-up burst) */
  gint64 window_start_us;
} ViewerStats;

#define VIEWER_WARMUP_US (2 * G_USEC_PER_SEC)

static void
viewer_frame (Peer * p, const gchar * viewer, gint64 now)
{
  ViewerStats *v = g_hash_table_lookup (p->viewer_stats, viewer);

  if (!v) {
    v = g_new0 (ViewerStats, 1);
    g_hash_table_insert (p->viewer_stats, g_strdup (viewer), v);
  }
  if (!v->first_us)
    v->first_us = now;
  if (now - v->first_us >= VIEWER_WARMUP_US) {
    if (!v->window_start_us)
      v->window_start_us = now;
    else
      v->frames++;
  }
  v->last_us = now;
}

/* Video frames entering the room element (what the encoder gets through:
 * a starved encoder backs the live source up) */
static GstPadProbeReturn
count_sent (GstPad * pad, GstPadProbeInfo * info, Peer * p)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&p->lock);
  if (!p->sent_first_us)
    p->sent_first_us = now;
  else
    p->sent_frames++;
  p->sent_last_us = now;
  g_mutex_unlock (&p->lock);
  return GST_PAD_PROBE_OK;
}

/* VIEWER <name> fps=<mean after the warm-up> frames=<n> */
static void
print_viewer_fps (Peer * p)
{
  g_autoptr (GList) names = g_hash_table_get_keys (p->viewer_stats);
  GList *l;

  names = g_list_sort (names, (GCompareFunc) g_strcmp0);
  for (l = names; l; l = l->next) {
    ViewerStats *v = g_hash_table_lookup (p->viewer_stats, l->data);
    gdouble span = (v->last_us - v->window_start_us) / 1e6;

    printf ("VIEWER %s fps=%.1f frames=%u\n", (const gchar *) l->data,
        v->window_start_us && span > 0 ? v->frames / span : 0.0, v->frames);
  }
  fflush (stdout);
}

static gint
count_over (GHashTable * table, gint min)
{
  GHashTableIter iter;
  gpointer value;
  gint n = 0;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    if (GPOINTER_TO_INT (value) >= min)
      n++;
  }
  return n;
}

static gboolean
expectations_met (Peer * p)
{
  gboolean ok = TRUE;
  gboolean receives = !g_str_equal (p->mode, "sink");

  g_mutex_lock (&p->lock);
  if (p->wait_mark && !p->marked)
    ok = FALSE;
  if (receives && p->video
      && count_over (p->video_frames, p->min_frames) <
      p->expect_peers * p->viewers)
    ok = FALSE;
  if (receives && p->audio
      && count_over (p->audio_frames, p->min_frames) <
      p->expect_peers * p->viewers)
    ok = FALSE;
  if (p->expect_text && (gint) g_hash_table_size (p->texts) < p->expect_peers)
    ok = FALSE;
  g_mutex_unlock (&p->lock);
  return ok;
}

/* SIGUSR1 with --wait-mark: the test's event (a cut, a restart...) is
 * over; --min-frames now counts the frames received from here on, while
 * MAXGAP keeps covering the whole call, the event included. */
static gboolean
on_mark (Peer * p)
{
  g_mutex_lock (&p->lock);
  p->marked = TRUE;
  g_hash_table_remove_all (p->video_frames);
  g_hash_table_remove_all (p->audio_frames);
  g_mutex_unlock (&p->lock);
  printf ("MARK at-us=%" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  fflush (stdout);
  return G_SOURCE_CONTINUE;
}

static gboolean
count_inbound (GQuark field, const GValue * value, gpointer data)
{
  const GstStructure *s;
  GstWebRTCStatsType type;

  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return TRUE;
  s = gst_value_get_structure (value);
  if (gst_structure_get_enum (s, "type", GST_TYPE_WEBRTC_STATS_TYPE,
          (gint *) & type) && type == GST_WEBRTC_STATS_INBOUND_RTP)
    (*(gint *) data)++;
  return TRUE;
}

static gboolean
print_peer_stats (GQuark field, const GValue * value, gpointer data)
{
  gint inbound = 0;

  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return TRUE;
  gst_structure_foreach (gst_value_get_structure (value), count_inbound,
      &inbound);
  printf ("STATS %s inbound-rtp=%d\n", g_quark_to_string (field), inbound);
  return TRUE;
}

/* --stats-every: the get-stats path while connections come and go */
static gboolean
poll_stats (Peer * p)
{
  GstStructure *stats = NULL;

  g_signal_emit_by_name (p->room, "get-stats", NULL, &stats);
  if (stats)
    gst_structure_free (stats);
  return G_SOURCE_CONTINUE;
}

/* The get-stats action signal, as an application would use it. */
static void
print_stats (Peer * p)
{
  GstStructure *stats = NULL;

  g_signal_emit_by_name (p->room, "get-stats", NULL, &stats);
  if (!stats)
    return;
  gst_structure_foreach (stats, print_peer_stats, NULL);
  gst_structure_free (stats);
  fflush (stdout);
}

static void
print_peer_gaps (Peer * p)
{
  GHashTableIter iter;
  gpointer peer, gap;

  g_mutex_lock (&p->lock);
  g_hash_table_iter_init (&iter, p->peer_gap_us);
  while (g_hash_table_iter_next (&iter, &peer, &gap))
    printf ("PEERGAP %s %" G_GINT64_FORMAT " ms\n", (const gchar *) peer,
        *(gint64 *) gap / 1000);
  g_mutex_unlock (&p->lock);
}

static gboolean
check_done (gpointer data)
{
  Peer *p = data;
  static gboolean reported = FALSE;

  if (!reported && expectations_met (p)) {
    reported = TRUE;
    /* from our welcome (joined the room) to the first decoded frame */
    printf ("DONE first-frame-ms=%" G_GINT64_FORMAT " since-start-ms=%"
        G_GINT64_FORMAT "\n", p->first_frame_us && p->joined_us ?
        (p->first_frame_us - p->joined_us) / 1000 : -1,
        p->first_frame_us ? (p->first_frame_us - p->start_us) / 1000 : -1);
    printf ("MAXGAP %" G_GINT64_FORMAT " ms\n", p->max_video_gap_us / 1000);
    print_peer_gaps (p);
    fflush (stdout);
    print_stats (p);
    p->exit_code = 0;
    if (p->stay_s <= 0)
      g_main_loop_quit (p->loop);
    else
      g_timeout_add_seconds (p->stay_s, (GSourceFunc) g_main_loop_quit,
          p->loop);
  }
  if (p->send_text) {
    gboolean sent = FALSE;
    g_signal_emit_by_name (p->room, "send-data", NULL, p->send_text, &sent);
  }
  return G_SOURCE_CONTINUE;
}

static gint64 *
peer_time (GHashTable * table, const gchar * peer)
{
  gint64 *t = g_hash_table_lookup (table, peer);

  if (!t) {
    t = g_new0 (gint64, 1);
    g_hash_table_insert (table, g_strdup (peer), t);
  }
  return t;
}

/* The longest silence of each peer's video, once it started (PEERGAP). */
static void
record_peer_gap (Peer * p, const gchar * peer, gint64 now)
{
  gint64 *last = peer_time (p->peer_last_us, peer);
  gint64 *gap = peer_time (p->peer_gap_us, peer);

  if (*last && now - *last > *gap)
    *gap = now - *last;
  *last = now;
}

static void
on_handoff (GstElement * sink, GstBuffer * buffer, GstPad * pad, Peer * p)
{
  const gchar *name = g_object_get_data (G_OBJECT (sink), "peer");
  gboolean is_video = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (sink),
          "video"));
  GHashTable *table = is_video ? p->video_frames : p->audio_frames;
  gint n;

  g_mutex_lock (&p->lock);
  if (is_video) {
    gint64 now = g_get_monotonic_time ();
    if (!p->first_frame_us)
      p->first_frame_us = now;
    /* longest silence of the incoming video, once it started */
    if (p->last_video_us && now - p->last_video_us > p->max_video_gap_us)
      p->max_video_gap_us = now - p->last_video_us;
    p->last_video_us = now;
    record_peer_gap (p, name, now);
    viewer_frame (p, g_object_get_data (G_OBJECT (sink), "viewer"), now);
    /* a decoder marks frames decoded from incomplete data (lost packets)
     * as corrupted: they show artifacts, so they are not counted as good */
    if (GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_CORRUPTED))
      p->corrupted_frames++;
    else if (p->report_fps) {
      guint second = (now - p->first_frame_us) / G_USEC_PER_SEC;
      if (second >= p->fps->len)
        g_array_set_size (p->fps, second + 1);
      g_array_index (p->fps, guint, second)++;
    }
  }
  n = GPOINTER_TO_INT (g_hash_table_lookup (table, name)) + 1;
  g_hash_table_insert (table, g_strdup (name), GINT_TO_POINTER (n));
  g_mutex_unlock (&p->lock);
  if (n == 1) {
    printf ("FRAME %s %s at-us=%" G_GINT64_FORMAT "\n",
        is_video ? "video" : "audio", name, g_get_monotonic_time ());
    fflush (stdout);
  }
}

static void
on_pad_added (GstElement * room, GstPad * pad, Peer * p)
{
  g_autofree gchar *pad_name = gst_pad_get_name (pad);
  g_auto (GStrv) parts = g_strsplit (pad_name, "_", 3);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr (GstPad) sinkpad = gst_element_get_static_pad (sink, "sink");

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  g_object_set (sink, "signal-handoffs", TRUE, "sync", FALSE, "async",
      p->async_sinks, NULL);
  /* with --viewers, one key per viewer and remote peer */
  g_object_set_data_full (G_OBJECT (sink), "peer", p->viewers > 1 ?
      g_strdup_printf ("%s/%s", GST_OBJECT_NAME (room), parts[1]) :
      g_strdup (parts[1]), g_free);
  g_object_set_data_full (G_OBJECT (sink), "viewer",
      g_strdup (GST_OBJECT_NAME (room)), g_free);
  g_object_set_data (G_OBJECT (sink), "video",
      GINT_TO_POINTER (g_str_equal (parts[0], "video")));
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), p);
  gst_bin_add (GST_BIN (p->pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  gst_pad_link (pad, sinkpad);
}

static void
on_data (GstElement * room, const gchar * peer, const gchar * text, Peer * p)
{
  g_mutex_lock (&p->lock);
  if (!g_hash_table_contains (p->texts, peer)) {
    printf ("TEXT %s %s\n", peer, text);
    fflush (stdout);
  }
  g_hash_table_insert (p->texts, g_strdup (peer), g_strdup (text));
  g_mutex_unlock (&p->lock);
}

static void
on_peer_joined (GstElement * room, const gchar * peer, const gchar * name,
    Peer * p)
{
  printf ("JOINED %s %s\n", peer, name ? name : "");
  fflush (stdout);
}

static void
on_peer_left (GstElement * room, const gchar * peer, const gchar * reason,
    Peer * p)
{
  printf ("LEFT %s %s\n", peer, reason);
  fflush (stdout);
}

static gboolean add_audio (Peer * p);
static gboolean remove_audio (Peer * p);

static gint
count_all (GHashTable * table)
{
  GHashTableIter iter;
  gpointer value;
  gint n = 0;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    n += GPOINTER_TO_INT (value);
  return n;
}

/* --report-frames: the frames received so far, every 250 ms */
static gboolean
print_frames (Peer * p)
{
  gint video, audio;

  g_mutex_lock (&p->lock);
  video = count_all (p->video_frames);
  audio = count_all (p->audio_frames);
  g_mutex_unlock (&p->lock);
  printf ("FRAMES video=%d audio=%d at-us=%" G_GINT64_FORMAT "\n", video,
      audio, g_get_monotonic_time ());
  fflush (stdout);
  return G_SOURCE_CONTINUE;
}

static const gchar *
sdp_direction (const GstSDPMedia * media)
{
  const gchar *dirs[] = { "sendrecv", "sendonly", "recvonly", "inactive" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (dirs); i++) {
    if (gst_sdp_media_get_attribute_val (media, dirs[i]))
      return dirs[i];
  }
  return "sendrecv";
}

/* --report-frames, at exit: what the remote peers last negotiated, per
 * m-line of each peer connection (a renegotiation shows here) */
static void
print_remote_directions (Peer * p)
{
  GstIterator *it = gst_bin_iterate_elements (GST_BIN (p->room));
  GValue item = G_VALUE_INIT;

  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object (&item);
    GstElementFactory *f = gst_element_get_factory (e);
    GstWebRTCSessionDescription *desc = NULL;
    GString *line;
    guint i;

    if (f && g_str_equal (GST_OBJECT_NAME (f), "webrtcbin"))
      g_object_get (e, "current-remote-description", &desc, NULL);
    if (desc) {
      line = g_string_new ("REMOTE-SDP");
      g_string_append_printf (line, " %s", GST_OBJECT_NAME (e));
      for (i = 0; i < gst_sdp_message_medias_len (desc->sdp); i++) {
        const GstSDPMedia *m = gst_sdp_message_get_media (desc->sdp, i);
        g_string_append_printf (line, " %s=%s", gst_sdp_media_get_media (m),
            sdp_direction (m));
      }
      printf ("%s\n", line->str);
      g_string_free (line, TRUE);
      gst_webrtc_session_description_free (desc);
    }
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  fflush (stdout);
}

static void
on_pad_removed (GstElement * room, GstPad * pad, Peer * p)
{
  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  printf ("PAD-REMOVED %s at-us=%" G_GINT64_FORMAT "\n", GST_PAD_NAME (pad),
      g_get_monotonic_time ());
  fflush (stdout);
}

/* --start-after: media starts flowing in a session already set up */
static gboolean
open_gate (Peer * p)
{
  GstElement *gate = gst_bin_get_by_name (GST_BIN (p->pipeline), "gate");

  printf ("SENDING at-us=%" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  fflush (stdout);
  g_object_set (gate, "drop", FALSE, NULL);
  gst_object_unref (gate);
  return G_SOURCE_REMOVE;
}

/* The selected candidate pair of @peer_id, from get-stats. webrtcbin 1.22
 * swaps the pair's own local/remote type fields (TRAPS.md): the types are
 * read from the candidate stats the pair's ids point to. */
static gchar *
candidate_type (const GstStructure * all, const gchar * id)
{
  const GstStructure *cand = NULL;
  gchar *type = NULL;

  if (id && gst_structure_get (all, id, GST_TYPE_STRUCTURE, &cand, NULL)) {
    type = g_strdup (gst_structure_get_string (cand, "candidate-type"));
    gst_structure_free ((GstStructure *) cand);
  }
  return type ? type : g_strdup ("?");
}

static gboolean
find_pair (GQuark field, const GValue * value, gpointer data)
{
  const GstStructure **pair = data;
  GstWebRTCStatsType type;

  if (GST_VALUE_HOLDS_STRUCTURE (value)
      && gst_structure_get_enum (gst_value_get_structure (value), "type",
          GST_TYPE_WEBRTC_STATS_TYPE, (gint *) & type)
      && type == GST_WEBRTC_STATS_CANDIDATE_PAIR)
    *pair = gst_value_get_structure (value);
  return *pair == NULL;
}

typedef struct
{
  Peer *p;
  gchar *peer_id;
} PathQuery;

static gboolean
print_path (PathQuery * q)
{
  GstStructure *stats = NULL;
  const GstStructure *pair = NULL;

  g_signal_emit_by_name (q->p->room, "get-stats", q->peer_id, &stats);
  if (stats)
    gst_structure_foreach (stats, find_pair, &pair);
  if (pair) {
    g_autofree gchar *local = candidate_type (stats,
        gst_structure_get_string (pair, "local-candidate-id"));
    g_autofree gchar *remote = candidate_type (stats,
        gst_structure_get_string (pair, "remote-candidate-id"));
    printf ("PATH %s local=%s remote=%s\n", q->peer_id, local, remote);
  } else {
    printf ("PATH %s unknown\n", q->peer_id);
  }
  fflush (stdout);
  if (stats)
    gst_structure_free (stats);
  g_free (q->peer_id);
  g_free (q);
  return G_SOURCE_REMOVE;
}

/* JITTERBUFFER: the receive side's RTP packet counts, summed over every
 * jitterbuffer (replaced peer connections included): what the network
 * lost, and what NACK/RTX repaired, apart from the CPU's effect on fps */
static void
print_jitterbuffer_stats (Peer * p)
{
  guint64 pushed = 0, lost = 0, late = 0, rtx = 0, rtx_ok = 0;
  guint i;

  g_mutex_lock (&p->lock);
  for (i = 0; i < p->jitterbuffers->len; i++) {
    GstStructure *stats = NULL;
    guint64 v;

    g_object_get (p->jitterbuffers->pdata[i], "stats", &stats, NULL);
    if (!stats)
      continue;
    if (gst_structure_get_uint64 (stats, "num-pushed", &v))
      pushed += v;
    if (gst_structure_get_uint64 (stats, "num-lost", &v))
      lost += v;
    if (gst_structure_get_uint64 (stats, "num-late", &v))
      late += v;
    if (gst_structure_get_uint64 (stats, "rtx-count", &v))
      rtx += v;
    if (gst_structure_get_uint64 (stats, "rtx-success-count", &v))
      rtx_ok += v;
    gst_structure_free (stats);
  }
  g_mutex_unlock (&p->lock);
  printf ("JITTERBUFFER pushed=%" G_GUINT64_FORMAT " lost=%" G_GUINT64_FORMAT
      " late=%" G_GUINT64_FORMAT " rtx-requests=%" G_GUINT64_FORMAT
      " rtx-repaired=%" G_GUINT64_FORMAT "\n", pushed, lost, late, rtx, rtx_ok);
  fflush (stdout);
}

static void
print_fps_summary (Peer * p)
{
  GString *line = g_string_new ("FPS");
  guint i, n = 0, total = 0, min = G_MAXUINT;

  for (i = 0; i < p->fps->len; i++)
    g_string_append_printf (line, " %u", g_array_index (p->fps, guint, i));
  printf ("%s\n", line->str);
  g_string_free (line, TRUE);
  /* whole seconds only, after a 2 s start-up (what queued up while the
   * connection was made arrives in a burst) and not the last (partial) */
  for (i = 2; i + 1 < p->fps->len; i++) {
    guint v = g_array_index (p->fps, guint, i);
    total += v;
    min = MIN (min, v);
    n++;
  }
  if (n)
    printf ("FPSSUMMARY mean=%.1f min=%u seconds=%u corrupted=%u\n",
        (gdouble) total / n, min, n, p->corrupted_frames);
  else
    printf ("FPSSUMMARY none corrupted=%u\n", p->corrupted_frames);
  fflush (stdout);
}

static gboolean
on_bus (GstBus * bus, GstMessage * msg, Peer * p)
{
  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:{
      g_autoptr (GError) err = NULL;
      g_autofree gchar *dbg = NULL;
      gst_message_parse_error (msg, &err, &dbg);
      printf ("ERROR %s\n", err->message);
      fflush (stdout);
      p->exit_code = 3;
      g_main_loop_quit (p->loop);
      break;
    }
    case GST_MESSAGE_WARNING:{
      g_autoptr (GError) err = NULL;
      g_autofree gchar *dbg = NULL;
      gst_message_parse_warning (msg, &err, &dbg);
      printf ("WARNING %s\n", err->message);
      fflush (stdout);
      break;
    }
    case GST_MESSAGE_ELEMENT:{
      const GstStructure *s = gst_message_get_structure (msg);
      if (s && gst_structure_has_name (s, "webrtcroom-joined") && !p->joined_us) {
        p->joined_us = g_get_monotonic_time ();
        if (p->start_after_ms)
          g_timeout_add (p->start_after_ms, (GSourceFunc) open_gate, p);
      }
      /* --report-fps only: webrtcbin 1.22's get-stats can race its own
       * threads right after connecting (a GLib-CRITICAL on a hash table
       * changed during iteration, seen once through TURN) */
      if (s && gst_structure_has_name (s, "webrtcroom-peer-connected")
          && p->report_fps) {
        PathQuery *q = g_new0 (PathQuery, 1);
        q->p = p;
        q->peer_id = g_strdup (gst_structure_get_string (s, "peer-id"));
        g_timeout_add (300, (GSourceFunc) print_path, q);
      }
      /* a track removed while a call is up */
      if (s && gst_structure_has_name (s, "webrtcroom-peer-connected")
          && p->remove_audio_after_ms > 0) {
        g_timeout_add (p->remove_audio_after_ms, (GSourceFunc) remove_audio, p);
        p->remove_audio_after_ms = -1;
      }
      /* a track added while a call is up */
      if (s && gst_structure_has_name (s, "webrtcroom-peer-connected")
          && p->add_audio_after_ms > 0) {
        g_timeout_add (p->add_audio_after_ms, (GSourceFunc) add_audio, p);
        p->add_audio_after_ms = -1;
      }
      if (s && g_str_has_prefix (gst_structure_get_name (s), "webrtcroom-")) {
        printf ("MESSAGE %s %s\n", gst_structure_get_name (s),
            gst_structure_get_string (s, "peer-id"));
        fflush (stdout);
      }
      break;
    }
    default:
      break;
  }
  return TRUE;
}

/* A track added while PLAYING: the element renegotiates with every peer. */
static gboolean
add_audio (Peer * p)
{
  g_autoptr (GError) error = NULL;
  GstElement *src = gst_parse_bin_from_description ("audiotestsrc "
      "is-live=true wave=ticks ! capsfilter caps=audio/x-raw,rate=48000,channels=2",
      TRUE,
      &error);
  g_autoptr (GstPad) srcpad = NULL;
  GstPad *sinkpad;

  g_assert_no_error (error);
  gst_bin_add (GST_BIN (p->pipeline), src);
  sinkpad = gst_element_request_pad_simple (p->room, "audio_%u");
  srcpad = gst_element_get_static_pad (src, "src");
  if (gst_pad_link (srcpad, sinkpad) != GST_PAD_LINK_OK)
    printf ("ERROR could not link the new audio source\n");
  gst_element_sync_state_with_parent (src);
  gst_object_unref (sinkpad);
  printf ("ADDED audio\n");
  fflush (stdout);
  return G_SOURCE_REMOVE;
}

/* A track removed while PLAYING, as an application does it: its source
 * stops and leaves the pipeline, then the request pad is released; the
 * element renegotiates with every peer. */
static gboolean
remove_audio (Peer * p)
{
  GstPad *sinkpad = gst_element_get_static_pad (p->room, "audio_0");
  g_autoptr (GPtrArray) upstream =
      g_ptr_array_new_with_free_func (gst_object_unref);
  GstPad *pad = sinkpad ? gst_object_ref (sinkpad) : NULL;
  guint i;

  if (!sinkpad) {
    printf ("ERROR no audio pad to remove\n");
    fflush (stdout);
    return G_SOURCE_REMOVE;
  }
  /* the chain feeding the pad, nearest first, up to the source */
  while (pad) {
    GstPad *peer = gst_pad_get_peer (pad);
    GstElement *element = peer ? gst_pad_get_parent_element (peer) : NULL;

    gst_object_unref (pad);
    pad = NULL;
    if (peer)
      gst_object_unref (peer);
    if (!element)
      break;
    g_ptr_array_add (upstream, element);
    pad = gst_element_get_static_pad (element, "sink");
  }
  for (i = upstream->len; i > 0; i--) {
    GstElement *element = upstream->pdata[i - 1];
    gst_element_set_locked_state (element, TRUE);
    gst_element_set_state (element, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (p->pipeline), element);
  }
  gst_element_release_request_pad (p->room, sinkpad);
  gst_object_unref (sinkpad);
  printf ("REMOVED audio at-us=%" G_GINT64_FORMAT "\n",
      g_get_monotonic_time ());
  fflush (stdout);
  return G_SOURCE_REMOVE;
}

static gboolean
on_timeout (Peer * p)
{
  printf ("TIMEOUT\n");
  fflush (stdout);
  g_main_loop_quit (p->loop);
  return G_SOURCE_REMOVE;
}

/* ICESTATE <webrtcbin> <state> at-us=<monotonic>: ICE timing apart from
 * signalling, encoding and decoding (checking -> connected is the time
 * the connectivity checks and the nomination took) */
static void
on_ice_state (GstElement * webrtcbin, GParamSpec * pspec, Peer * p)
{
  GstWebRTCICEConnectionState state;
  g_autofree gchar *name = NULL;
  GEnumValue *v;

  g_object_get (webrtcbin, "ice-connection-state", &state, NULL);
  v = g_enum_get_value (g_type_class_peek
      (GST_TYPE_WEBRTC_ICE_CONNECTION_STATE), state);
  name = gst_element_get_name (webrtcbin);
  printf ("ICESTATE %s %s at-us=%" G_GINT64_FORMAT "\n", name,
      v ? v->value_nick : "?", g_get_monotonic_time ());
  fflush (stdout);
}

/* Every webrtcbin: ICE state lines, and --ice-agent-prop set on its libnice
 * agent (webrtcbin's ice-agent -> agent) after the element configured it,
 * for ICE timing experiments (tests/bench/network-connect.sh). */
static void
on_deep_element_added (GstBin * bin, GstBin * sub_bin, GstElement * element,
    Peer * p)
{
  GstElementFactory *f = gst_element_get_factory (element);
  GObject *ice = NULL, *agent = NULL;
  guint i;

  for (i = 0; f && p->element_props && p->element_props[i]; i++) {
    g_auto (GStrv) fkv = g_strsplit_set (p->element_props[i], ":=", 3);

    if (g_strv_length (fkv) != 3 || !g_str_equal (fkv[0], GST_OBJECT_NAME (f)))
      continue;
    if (!g_object_class_find_property (G_OBJECT_GET_CLASS (element), fkv[1]))
      printf ("ERROR no %s property %s\n", fkv[0], fkv[1]);
    else
      gst_util_set_object_arg (G_OBJECT (element), fkv[1], fkv[2]);
  }
  if (f && g_str_equal (GST_OBJECT_NAME (f), "rtpjitterbuffer")) {
    g_mutex_lock (&p->lock);
    g_ptr_array_add (p->jitterbuffers, gst_object_ref (element));
    g_mutex_unlock (&p->lock);
    return;
  }
  if (!f || !g_str_equal (GST_OBJECT_NAME (f), "webrtcbin"))
    return;
  g_signal_connect (element, "notify::ice-connection-state",
      G_CALLBACK (on_ice_state), p);
  if (!p->agent_props)
    return;
  g_object_get (element, "ice-agent", &ice, NULL);
  if (ice && g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent"))
    g_object_get (ice, "agent", &agent, NULL);
  for (i = 0; agent && p->agent_props[i]; i++) {
    g_auto (GStrv) kv = g_strsplit (p->agent_props[i], "=", 2);

    if (!kv[0] || !kv[1]
        || !g_object_class_find_property (G_OBJECT_GET_CLASS (agent), kv[0]))
      printf ("ERROR no libnice agent property %s\n", p->agent_props[i]);
    else
      gst_util_set_object_arg (agent, kv[0], kv[1]);
  }
  fflush (stdout);
  g_clear_object (&agent);
  g_clear_object (&ice);
}

static gchar *
build_description (Peer * p)
{
  GString *d = g_string_new (NULL);
  const gchar *element = g_str_equal (p->mode, "sink") ? "webrtcroomsink" :
      g_str_equal (p->mode, "src") ? "webrtcroomsrc" : "webrtcroombin";

  g_string_append_printf (d, "%s name=room server-url=%s room=%s "
      "display-name=%s offers=%s ice-tcp=false ",
      element, p->url, p->room_name, p->display_name,
      p->offers ? "true" : "false");
  if (*p->local_addresses)
    g_string_append_printf (d, "local-addresses=\"%s\" ", p->local_addresses);
  /* sanitizer builds run several times slower: three ASan processes on two
   * cores can starve a stream for 2 s, which the watchdog would take for a
   * dead path (--prop media-timeout=... still wins) */
  if (g_getenv ("WEBRTC_ROOM_SLOW"))
    g_string_append (d, "media-timeout=8000 ");
  /* each element has only the properties that apply to it */
  if (p->codec && !g_str_equal (p->mode, "src"))
    g_string_append_printf (d, "video-codec=%s ", p->codec);
  if (!p->decode && !g_str_equal (p->mode, "sink"))
    g_string_append (d, "decode=false ");
  if (g_str_equal (p->mode, "src")) {
    /* --viewers N: N viewers in one process, room, room1, room2... */
    for (gint i = 1; i < p->viewers; i++) {
      g_string_append_printf (d, "webrtcroomsrc name=room%d server-url=%s "
          "room=%s display-name=%s-%d offers=%s ice-tcp=false ", i, p->url,
          p->room_name, p->display_name, i, p->offers ? "true" : "false");
      if (*p->local_addresses)
        g_string_append_printf (d, "local-addresses=\"%s\" ",
            p->local_addresses);
      if (g_getenv ("WEBRTC_ROOM_SLOW"))
        g_string_append (d, "media-timeout=8000 ");
      if (!p->decode)
        g_string_append (d, "decode=false ");
    }
    return g_string_free (d, FALSE);
  }
  if (p->video) {
    g_string_append_printf (d, "videotestsrc is-live=true pattern=ball ! "
        "video/x-raw,width=%d,height=%d,framerate=30/1 ! ", p->width,
        p->height);
    if (p->encoded_input)
      g_string_append (d, "x264enc tune=zerolatency speed-preset=ultrafast "
          "key-int-max=30 ! video/x-h264,profile=constrained-baseline ! ");
    if (p->start_after_ms)
      g_string_append (d, "valve name=gate drop=true ! ");
    g_string_append (d, "room.video_0 ");
  }
  if (p->audio && p->add_audio_after_ms == 0)
    g_string_append (d, "audiotestsrc is-live=true wave=ticks ! "
        "audio/x-raw,rate=48000,channels=2 ! room.audio_0 ");
  return g_string_free (d, FALSE);
}

/* GStreamer 1.22's rtpsession walks its sources from the RTCP thread while
 * another streaming thread adds one: GLib stops that walk with this
 * CRITICAL (seen at load average 45-60 with the 100 ms RTCP interval, in
 * the rtpsession RTCP thread, never in our code; it costs one RTCP round).
 * Under G_DEBUG=fatal-criticals it would kill the peer: that one message
 * is reported and survived, every other critical stays fatal. */
static gboolean
fatal_log_filter (const gchar * domain, GLogLevelFlags level,
    const gchar * message, gpointer user_data)
{
  if (!g_strcmp0 (domain, "GLib") && message
      && strstr (message, "g_hash_table_foreach: assertion "
          "'version == hash_table->version'")) {
    g_printerr ("room-peer: survived a known GStreamer 1.22 rtpsession "
        "race (%s)\n", message);
    return FALSE;
  }
  return TRUE;
}

int
main (int argc, char **argv)
{
  Peer p = { 0, };
  g_autoptr (GError) error = NULL;
  g_autofree gchar *description = NULL;
  g_autoptr (GOptionContext) ctx = NULL;
  GOptionEntry entries[] = {
    {"mode", 0, 0, G_OPTION_ARG_STRING, &p.mode, "bin, sink or src", NULL},
    {"url", 0, 0, G_OPTION_ARG_STRING, &p.url, "server url", NULL},
    {"room", 0, 0, G_OPTION_ARG_STRING, &p.room_name, "room", NULL},
    {"name", 0, 0, G_OPTION_ARG_STRING, &p.display_name, "name", NULL},
    {"codec", 0, 0, G_OPTION_ARG_STRING, &p.codec, "video codec", NULL},
    {"no-video", 0, G_OPTION_FLAG_REVERSE, G_OPTION_ARG_NONE, &p.video,
        "no video", NULL},
    {"no-audio", 0, G_OPTION_FLAG_REVERSE, G_OPTION_ARG_NONE, &p.audio,
        "no audio", NULL},
    {"no-offers", 0, G_OPTION_FLAG_REVERSE, G_OPTION_ARG_NONE, &p.offers,
        "join with offers=false", NULL},
    {"encoded", 0, 0, G_OPTION_ARG_NONE, &p.encoded_input,
        "send pre-encoded H264", NULL},
    {"no-decode", 0, G_OPTION_FLAG_REVERSE, G_OPTION_ARG_NONE, &p.decode,
        "receive encoded streams (decode=false): counts encoded frames", NULL},
    {"expect-peers", 0, 0, G_OPTION_ARG_INT, &p.expect_peers,
        "remote peers to receive from", NULL},
    {"min-frames", 0, 0, G_OPTION_ARG_INT, &p.min_frames, "frames", NULL},
    {"send-text", 0, 0, G_OPTION_ARG_STRING, &p.send_text, "text", NULL},
    {"expect-text", 0, 0, G_OPTION_ARG_NONE, &p.expect_text, "text", NULL},
    {"timeout", 0, 0, G_OPTION_ARG_INT, &p.timeout_s, "seconds", NULL},
    {"stay", 0, 0, G_OPTION_ARG_INT, &p.stay_s, "seconds after done", NULL},
    {"width", 0, 0, G_OPTION_ARG_INT, &p.width, "video width", NULL},
    {"height", 0, 0, G_OPTION_ARG_INT, &p.height, "video height", NULL},
    {"remove-audio-after", 0, 0, G_OPTION_ARG_INT, &p.remove_audio_after_ms,
        "release the audio pad (its source stopped and removed first) N ms "
          "after the first peer connected", NULL},
    {"report-frames", 0, 0, G_OPTION_ARG_NONE, &p.report_frames,
        "print the frames received so far every 250 ms", NULL},
    {"start-after", 0, 0, G_OPTION_ARG_INT, &p.start_after_ms,
        "join at once, let video through only N ms after joining", NULL},
    {"add-audio-after", 0, 0, G_OPTION_ARG_INT, &p.add_audio_after_ms,
        "start without audio, request the audio pad N ms after the first "
          "peer connected", NULL},
    {"prop", 0, 0, G_OPTION_ARG_STRING_ARRAY, &p.props,
          "extra room element property, e.g. --prop latency=300 (repeatable)",
        "NAME=VALUE"},
    {"local-addresses", 0, 0, G_OPTION_ARG_STRING, &p.local_addresses,
          "local-addresses of the element (default 127.0.0.1, '' for none)",
        NULL},
    {"report-fps", 0, 0, G_OPTION_ARG_NONE, &p.report_fps,
        "print FPS lines and an FPSSUMMARY at exit", NULL},
    {"element-prop", 0, 0, G_OPTION_ARG_STRING_ARRAY, &p.element_props,
          "property of every element of that factory in the pipeline, set "
          "after the room element's own settings (repeatable; experiments)",
        "FACTORY:NAME=VALUE"},
    {"stats-every", 0, 0, G_OPTION_ARG_INT, &p.stats_every_ms,
        "call get-stats every N ms, results dropped (a stress test of the "
          "stats path)", "N"},
    {"wait-mark", 0, 0, G_OPTION_ARG_NONE, &p.wait_mark,
        "not done before a SIGUSR1, and --min-frames counts the frames "
          "after it", NULL},
    {"viewers", 0, 0, G_OPTION_ARG_INT, &p.viewers,
        "--mode=src: host N webrtcroomsrc elements (viewers) in this "
          "process; expectations hold for each, VIEWER lines give each "
          "one's fps", "N"},
    {"async-sinks", 0, 0, G_OPTION_ARG_NONE, &p.async_sinks,
        "received tracks go to async fakesinks (a flush reaching one makes "
          "it preroll again)", NULL},
    {"ice-agent-prop", 0, 0, G_OPTION_ARG_STRING_ARRAY, &p.agent_props,
        "libnice agent property of every peer connection (repeatable; "
          "ICE timing experiments)", "NAME=VALUE"},
    {NULL}
  };

  p.video = p.audio = p.offers = p.decode = TRUE;
  p.viewers = 1;
  p.expect_peers = 1;
  p.min_frames = 10;
  p.timeout_s = 20;
  p.width = 320;
  p.height = 240;
  p.local_addresses = g_strdup ("127.0.0.1");
  p.fps = g_array_new (FALSE, TRUE, sizeof (guint));
  p.jitterbuffers = g_ptr_array_new_with_free_func (gst_object_unref);
  ctx = g_option_context_new ("- a room participant for tests");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_test_log_set_fatal_handler (fatal_log_filter, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    fprintf (stderr, "room-peer: %s\n", error->message);
    return 2;
  }
  if (!p.mode)
    p.mode = g_strdup ("bin");
  if (!p.url || !p.room_name) {
    fprintf (stderr, "room-peer: --url and --room are required\n");
    return 2;
  }
  if (!p.display_name)
    p.display_name = g_strdup ("peer");
  if (p.viewers < 1 || p.viewers > 100
      || (p.viewers > 1 && !g_str_equal (p.mode, "src"))) {
    fprintf (stderr, "room-peer: --viewers takes 1..100, with --mode=src\n");
    return 2;
  }
  p.viewer_stats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);

  g_mutex_init (&p.lock);
  p.peer_last_us = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  p.peer_gap_us = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  p.video_frames = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  p.audio_frames = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  p.texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  p.exit_code = 1;
  p.loop = g_main_loop_new (NULL, FALSE);

  description = build_description (&p);
  p.pipeline = gst_parse_launch_full (description, NULL,
      GST_PARSE_FLAG_FATAL_ERRORS, &error);
  if (!p.pipeline) {
    fprintf (stderr, "room-peer: %s\n", error->message);
    return 2;
  }
  if (!GST_IS_PIPELINE (p.pipeline)) {
    /* a lone webrtcroomsrc parses to the element itself */
    GstElement *pipeline = gst_pipeline_new (NULL);
    gst_bin_add (GST_BIN (pipeline), p.pipeline);
    p.pipeline = pipeline;
  }
  p.room = gst_bin_get_by_name (GST_BIN (p.pipeline), "room");
  /* --prop: each element has only the properties that apply to it (a
   * sink has no latency): one that does not exist is reported, not fatal,
   * so one command line serves every mode */
  for (guint i = 0; p.props && p.props[i]; i++) {
    g_auto (GStrv) kv = g_strsplit (p.props[i], "=", 2);

    if (!kv[0] || !kv[1])
      continue;
    if (g_object_class_find_property (G_OBJECT_GET_CLASS (p.room), kv[0]))
      gst_util_set_object_arg (G_OBJECT (p.room), kv[0], kv[1]);
    else
      printf ("PROP-IGNORED %s\n", kv[0]);
  }
  g_signal_connect (p.pipeline, "deep-element-added",
      G_CALLBACK (on_deep_element_added), &p);
  {
    g_autoptr (GstPad) video_in = gst_element_get_static_pad (p.room,
        "video_0");
    if (video_in)
      gst_pad_add_probe (video_in, GST_PAD_PROBE_TYPE_BUFFER,
          (GstPadProbeCallback) count_sent, &p, NULL);
  }
  p.rooms = g_ptr_array_new_with_free_func (gst_object_unref);
  g_ptr_array_add (p.rooms, gst_object_ref (p.room));
  for (gint i = 1; i < p.viewers; i++) {
    g_autofree gchar *name = g_strdup_printf ("room%d", i);
    g_ptr_array_add (p.rooms, gst_bin_get_by_name (GST_BIN (p.pipeline), name));
  }
  for (guint i = 0; i < p.rooms->len; i++) {
    GstElement *room = p.rooms->pdata[i];

    g_signal_connect (room, "pad-added", G_CALLBACK (on_pad_added), &p);
    g_signal_connect (room, "pad-removed", G_CALLBACK (on_pad_removed), &p);
  }
  g_signal_connect (p.room, "data-received", G_CALLBACK (on_data), &p);
  g_signal_connect (p.room, "peer-joined", G_CALLBACK (on_peer_joined), &p);
  g_signal_connect (p.room, "peer-left", G_CALLBACK (on_peer_left), &p);
  if (p.report_frames)
    g_timeout_add (250, (GSourceFunc) print_frames, &p);
  if (p.stats_every_ms > 0)
    g_timeout_add (p.stats_every_ms, (GSourceFunc) poll_stats, &p);
  gst_bus_add_watch (GST_ELEMENT_BUS (p.pipeline), (GstBusFunc) on_bus, &p);
  g_timeout_add (50, check_done, &p);

  g_unix_signal_add (SIGTERM, (GSourceFunc) g_main_loop_quit, p.loop);
  g_unix_signal_add (SIGINT, (GSourceFunc) g_main_loop_quit, p.loop);
  g_unix_signal_add (SIGUSR1, (GSourceFunc) on_mark, &p);
  g_timeout_add_seconds (p.timeout_s, (GSourceFunc) on_timeout, &p);

  p.start_us = g_get_monotonic_time ();
  gst_element_set_state (p.pipeline, GST_STATE_PLAYING);
  g_main_loop_run (p.loop);

  if (p.encoded_input) {
    /* pre-encoded input must not be re-encoded inside the element */
    GstIterator *it = gst_bin_iterate_recurse (GST_BIN (p.room));
    GValue item = G_VALUE_INIT;
    gint encoders = 0;
    while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
      GstElement *e = g_value_get_object (&item);
      GstElementFactory *f = gst_element_get_factory (e);
      /* webrtcbin holds RTP FEC/RED "encoders": count media encoders */
      if (f && gst_element_factory_list_is_type (f,
              GST_ELEMENT_FACTORY_TYPE_ENCODER |
              GST_ELEMENT_FACTORY_TYPE_MEDIA_VIDEO)) {
        printf ("ENCODER %s\n", GST_OBJECT_NAME (f));
        encoders++;
      }
      g_value_reset (&item);
    }
    gst_iterator_free (it);
    printf ("ENCODERS %d\n", encoders);
    if (encoders)
      p.exit_code = 4;
  }

  if (p.report_frames)
    print_remote_directions (&p);
  if (p.report_fps)
    print_jitterbuffer_stats (&p);
  if (g_str_equal (p.mode, "src"))
    print_viewer_fps (&p);
  else if (p.sent_last_us > p.sent_first_us)
    printf ("SENT video fps=%.1f frames=%d\n", p.sent_frames * 1e6 /
        (p.sent_last_us - p.sent_first_us), p.sent_frames);
  gst_element_set_state (p.pipeline, GST_STATE_NULL);
  gst_object_unref (p.room);
  g_ptr_array_unref (p.rooms);
  g_hash_table_unref (p.viewer_stats);
  gst_object_unref (p.pipeline);
  g_main_loop_unref (p.loop);
  g_hash_table_unref (p.video_frames);
  g_hash_table_unref (p.audio_frames);
  g_hash_table_unref (p.texts);
  g_hash_table_unref (p.peer_last_us);
  g_hash_table_unref (p.peer_gap_us);
  if (p.report_fps)
    print_fps_summary (&p);
  g_array_unref (p.fps);
  g_ptr_array_unref (p.jitterbuffers);
  g_strfreev (p.props);
  g_strfreev (p.agent_props);
  g_strfreev (p.element_props);
  g_free (p.local_addresses);
  printf ("EXIT %d\n", p.exit_code);
  return p.exit_code;
}
