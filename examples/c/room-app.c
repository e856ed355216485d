/* gst-webrtc-rooms example: a small application embedding webrtcroombin.
 *
 * Joins a room with test sources (videotestsrc + audiotestsrc), shows every
 * remote peer's video in a fakesink (counting frames), prints peer joins and
 * leaves, connection state, and a short stats line per peer every 2 s.
 * Ctrl-C (SIGINT) or SIGTERM stops the pipeline and exits 0.
 *
 *   GST_PLUGIN_PATH=<build>/plugins/webrtcroom \
 *     <build>/examples/room-app --url ws://127.0.0.1:8443/ws --room demo --name alice
 *
 * Options: --url, --room, --name, --codec VP8|VP9|H264, --local-address ADDR
 * (e.g. 127.0.0.1 on a machine without other interfaces), --pattern (videotestsrc
 * pattern), --width/--height.
 *
 * Lines printed (stable, scripts such as examples/run-demo.sh grep them):
 *   NAME: joined room ROOM
 *   NAME: peer ID joined (PEERNAME)
 *   NAME: peer ID connected | NAME: peer ID failed | NAME: peer ID left (REASON)
 *   NAME: receiving video from ID WxH | NAME: receiving audio from ID
 *   NAME: stats ID: video F fps (N frames), in K kbit/s, out K kbit/s, ice L-R
 * (fps and bit rates over the last 2 s; L-R: the candidate types of the
 * selected ICE pair, host, srflx, prflx or relay, "none" before ICE found one)
 */

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

typedef struct
{
  GMainLoop *loop;
  GstElement *pipeline;
  GstElement *room;
  gchar *name;
  GMutex lock;
  GHashTable *frames;           /* peer id -> video frames received */
  GHashTable *last;             /* peer id -> Sample at the last stats line */
} App;

typedef struct
{
  gint64 time_us;
  guint frames;
  guint64 in_bytes, out_bytes;
} Sample;

static void
say (App * app, const gchar * fmt, ...)
G_GNUC_PRINTF (2, 3);

     static void say (App * app, const gchar * fmt, ...)
{
  va_list args;
  g_autofree gchar *text = NULL;

  va_start (args, fmt);
  text = g_strdup_vprintf (fmt, args);
  va_end (args);
  printf ("%s: %s\n", app->name, text);
  fflush (stdout);
}

/* --- received media: one fakesink per remote pad, counting frames --- */

static GstPadProbeReturn
on_buffer (GstPad * pad, GstPadProbeInfo * info, App * app)
{
  const gchar *peer = g_object_get_data (G_OBJECT (pad), "peer");
  gboolean video = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (pad),
          "video"));
  guint n;

  g_mutex_lock (&app->lock);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (app->frames, peer));
  if (video)
    g_hash_table_insert (app->frames, g_strdup (peer),
        GUINT_TO_POINTER (n + 1));
  g_mutex_unlock (&app->lock);

  if (!g_object_get_data (G_OBJECT (pad), "seen")) {
    g_object_set_data (G_OBJECT (pad), "seen", GINT_TO_POINTER (1));
    if (video) {
      g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
      gint w = 0, h = 0;
      if (caps) {
        GstStructure *s = gst_caps_get_structure (caps, 0);
        gst_structure_get_int (s, "width", &w);
        gst_structure_get_int (s, "height", &h);
      }
      say (app, "receiving video from %s %dx%d", peer, w, h);
    } else {
      say (app, "receiving audio from %s", peer);
    }
  }
  return GST_PAD_PROBE_OK;
}

static void
on_pad_added (GstElement * room, GstPad * pad, App * app)
{
  g_autofree gchar *pad_name = gst_pad_get_name (pad);
  g_auto (GStrv) parts = NULL;
  GstElement *sink;
  GstPad *sinkpad;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  /* video_<peerid>_<n> / audio_<peerid>_<n> */
  parts = g_strsplit (pad_name, "_", 3);
  if (g_strv_length (parts) < 2)
    return;
  sink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (app->pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  sinkpad = gst_element_get_static_pad (sink, "sink");
  g_object_set_data_full (G_OBJECT (sinkpad), "peer", g_strdup (parts[1]),
      g_free);
  g_object_set_data (G_OBJECT (sinkpad), "video",
      GINT_TO_POINTER (g_str_equal (parts[0], "video")));
  gst_pad_add_probe (sinkpad, GST_PAD_PROBE_TYPE_BUFFER,
      (GstPadProbeCallback) on_buffer, app, NULL);
  if (gst_pad_link (pad, sinkpad) != GST_PAD_LINK_OK)
    say (app, "cannot link %s", pad_name);
  gst_object_unref (sinkpad);
}

/* --- room events --- */

static void
on_peer_joined (GstElement * room, const gchar * peer, const gchar * name,
    App * app)
{
  say (app, "peer %s joined (%s)", peer, name ? name : "");
}

static void
on_peer_left (GstElement * room, const gchar * peer, const gchar * reason,
    App * app)
{
  say (app, "peer %s left (%s)", peer, reason ? reason : "");
}

static gboolean
on_bus (GstBus * bus, GstMessage * msg, App * app)
{
  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:{
      g_autoptr (GError) err = NULL;
      g_autofree gchar *dbg = NULL;
      gst_message_parse_error (msg, &err, &dbg);
      say (app, "error: %s (%s)", err->message, dbg ? dbg : "");
      g_main_loop_quit (app->loop);
      break;
    }
    case GST_MESSAGE_ELEMENT:{
      const GstStructure *s = gst_message_get_structure (msg);
      const gchar *what = s ? gst_structure_get_name (s) : "";
      const gchar *peer = s ? gst_structure_get_string (s, "peer-id") : NULL;
      if (g_str_equal (what, "webrtcroom-peer-connected"))
        say (app, "peer %s connected", peer);
      else if (g_str_equal (what, "webrtcroom-peer-failed"))
        say (app, "peer %s failed", peer);
      else if (g_str_equal (what, "webrtcroom-joined"))
        say (app, "joined room as %s", peer ? peer : "?");
      else if (g_str_equal (what, "webrtcroom-signalling-lost"))
        say (app, "signalling lost: %s", gst_structure_get_string (s,
                "reason"));
      break;
    }
    default:
      break;
  }
  return TRUE;
}

/* --- stats: one line per peer from webrtcbin's get-stats --- */

typedef struct
{
  guint64 in_bytes, out_bytes;
  GHashTable *by_id;            /* stats id -> GstStructure (borrowed) */
  const gchar *selected_pair;   /* from the transport stats */
  const GstStructure *first_pair;
} Summary;

static gboolean
summarize_one (GQuark field, const GValue * value, Summary * sum)
{
  const GstStructure *s;
  GstWebRTCStatsType type;
  const gchar *id;
  guint64 v = 0;

  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return TRUE;
  s = gst_value_get_structure (value);
  if (!gst_structure_get_enum (s, "type", GST_TYPE_WEBRTC_STATS_TYPE,
          (gint *) & type))
    return TRUE;
  id = gst_structure_get_string (s, "id");
  g_hash_table_insert (sum->by_id, (gpointer) (id ? id :
          g_quark_to_string (field)), (gpointer) s);
  switch (type) {
    case GST_WEBRTC_STATS_INBOUND_RTP:
      if (gst_structure_get_uint64 (s, "bytes-received", &v))
        sum->in_bytes += v;
      break;
    case GST_WEBRTC_STATS_OUTBOUND_RTP:
      if (gst_structure_get_uint64 (s, "bytes-sent", &v))
        sum->out_bytes += v;
      break;
    case GST_WEBRTC_STATS_TRANSPORT:
      if (!sum->selected_pair)
        sum->selected_pair = gst_structure_get_string (s,
            "selected-candidate-pair-id");
      break;
    case GST_WEBRTC_STATS_CANDIDATE_PAIR:
      if (!sum->first_pair)
        sum->first_pair = s;
      break;
    default:
      break;
  }
  return TRUE;
}

/* "host-srflx": the candidate types of the selected pair (webrtcbin 1.22
 * names it in the transport stats; else the first pair listed) */
static gchar *
describe_ice (Summary * sum)
{
  const GstStructure *pair = NULL;
  const GstStructure *local, *remote;
  const gchar *lt, *rt;

  if (sum->selected_pair)
    pair = g_hash_table_lookup (sum->by_id, sum->selected_pair);
  if (!pair)
    pair = sum->first_pair;
  if (!pair)
    return g_strdup ("none");
  local = g_hash_table_lookup (sum->by_id,
      gst_structure_get_string (pair, "local-candidate-id") ?
      gst_structure_get_string (pair, "local-candidate-id") : "");
  remote = g_hash_table_lookup (sum->by_id,
      gst_structure_get_string (pair, "remote-candidate-id") ?
      gst_structure_get_string (pair, "remote-candidate-id") : "");
  lt = local ? gst_structure_get_string (local, "candidate-type") : NULL;
  rt = remote ? gst_structure_get_string (remote, "candidate-type") : NULL;
  return g_strdup_printf ("%s-%s", lt ? lt : "?", rt ? rt : "?");
}

static gboolean
print_stats (App * app)
{
  GstStructure *all = NULL;
  gint64 now = g_get_monotonic_time ();
  gint i, n;

  g_signal_emit_by_name (app->room, "get-stats", NULL, &all);
  if (!all)
    return G_SOURCE_CONTINUE;
  n = gst_structure_n_fields (all);
  for (i = 0; i < n; i++) {
    const gchar *peer = gst_structure_nth_field_name (all, i);
    const GValue *v = gst_structure_get_value (all, peer);
    Summary sum = { 0, };
    Sample *last, cur;
    g_autofree gchar *ice = NULL;
    gdouble dt, fps = 0, kin = 0, kout = 0;

    if (!GST_VALUE_HOLDS_STRUCTURE (v))
      continue;
    sum.by_id = g_hash_table_new (g_str_hash, g_str_equal);
    gst_structure_foreach (gst_value_get_structure (v),
        (GstStructureForeachFunc) summarize_one, &sum);
    ice = describe_ice (&sum);
    g_hash_table_unref (sum.by_id);

    g_mutex_lock (&app->lock);
    cur.frames = GPOINTER_TO_UINT (g_hash_table_lookup (app->frames, peer));
    g_mutex_unlock (&app->lock);
    cur.time_us = now;
    cur.in_bytes = sum.in_bytes;
    cur.out_bytes = sum.out_bytes;
    last = g_hash_table_lookup (app->last, peer);
    if (last && now > last->time_us) {
      dt = (now - last->time_us) / (gdouble) G_USEC_PER_SEC;
      fps = (cur.frames - last->frames) / dt;
      kin = 8 * (cur.in_bytes - last->in_bytes) / dt / 1000;
      kout = 8 * (cur.out_bytes - last->out_bytes) / dt / 1000;
    }
    g_hash_table_insert (app->last, g_strdup (peer),
        g_memdup2 (&cur, sizeof (cur)));
    say (app, "stats %s: video %.1f fps (%u frames), in %.0f kbit/s, "
        "out %.0f kbit/s, ice %s", peer, fps, cur.frames, kin, kout, ice);
  }
  gst_structure_free (all);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_signal (App * app)
{
  say (app, "stopping");
  g_main_loop_quit (app->loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  App app = { 0, };
  g_autofree gchar *url = NULL, *room = NULL, *codec = NULL, *local = NULL;
  g_autofree gchar *pattern = NULL, *desc = NULL;
  gint width = 320, height = 240;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) ctx = NULL;
  GOptionEntry entries[] = {
    {"url", 0, 0, G_OPTION_ARG_STRING, &url, "room server (ws://HOST:PORT/ws)",
        "URL"},
    {"room", 0, 0, G_OPTION_ARG_STRING, &room, "room to join", "ROOM"},
    {"name", 0, 0, G_OPTION_ARG_STRING, &app.name, "display name", "NAME"},
    {"codec", 0, 0, G_OPTION_ARG_STRING, &codec, "VP8, VP9 or H264", "CODEC"},
    {"local-address", 0, 0, G_OPTION_ARG_STRING, &local,
        "only gather ICE candidates on this address", "ADDR"},
    {"pattern", 0, 0, G_OPTION_ARG_STRING, &pattern, "videotestsrc pattern",
        "P"},
    {"width", 0, 0, G_OPTION_ARG_INT, &width, "video width", "W"},
    {"height", 0, 0, G_OPTION_ARG_INT, &height, "video height", "H"},
    {NULL}
  };

  ctx = g_option_context_new ("- join a WebRTC room with test sources");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    fprintf (stderr, "room-app: %s\n", error->message);
    return 2;
  }
  if (!url || !room) {
    fprintf (stderr, "room-app: --url and --room are required\n");
    return 2;
  }
  if (!app.name)
    app.name = g_strdup ("room-app");

  desc = g_strdup_printf ("webrtcroombin name=room server-url=\"%s\" "
      "room=\"%s\" display-name=\"%s\" video-codec=%s %s%s%s "
      "videotestsrc is-live=true pattern=%s ! "
      "video/x-raw,width=%d,height=%d,framerate=30/1 ! "
      "timeoverlay ! room.video_0 "
      "audiotestsrc is-live=true wave=ticks volume=0.2 ! room.audio_0",
      url, room, app.name, codec ? codec : "VP8",
      local ? "local-addresses=\"" : "", local ? local : "", local ? "\"" : "",
      pattern ? pattern : "ball", width, height);
  /* a missing element (timeoverlay is in gstreamer1.0-x) is an error, not
   * a pipeline with a hole that fails later with "not-linked" */
  app.pipeline = gst_parse_launch_full (desc, NULL,
      GST_PARSE_FLAG_FATAL_ERRORS, &error);
  if (!app.pipeline) {
    fprintf (stderr, "room-app: %s (is the webrtcroom plugin on "
        "GST_PLUGIN_PATH?)\n", error->message);
    return 1;
  }
  app.room = gst_bin_get_by_name (GST_BIN (app.pipeline), "room");
  g_mutex_init (&app.lock);
  app.frames = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  app.last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  app.loop = g_main_loop_new (NULL, FALSE);

  g_signal_connect (app.room, "pad-added", G_CALLBACK (on_pad_added), &app);
  g_signal_connect (app.room, "peer-joined", G_CALLBACK (on_peer_joined), &app);
  g_signal_connect (app.room, "peer-left", G_CALLBACK (on_peer_left), &app);
  gst_bus_add_watch (GST_ELEMENT_BUS (app.pipeline), (GstBusFunc) on_bus, &app);
  g_timeout_add_seconds (2, (GSourceFunc) print_stats, &app);
  g_unix_signal_add (SIGINT, (GSourceFunc) on_signal, &app);
  g_unix_signal_add (SIGTERM, (GSourceFunc) on_signal, &app);

  say (&app, "joining room %s on %s", room, url);
  if (gst_element_set_state (app.pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    fprintf (stderr, "room-app: cannot start the pipeline\n");
    return 1;
  }
  g_main_loop_run (app.loop);

  /* NULL state leaves the room cleanly (close frame) and closes every peer */
  gst_element_set_state (app.pipeline, GST_STATE_NULL);
  gst_object_unref (app.room);
  gst_object_unref (app.pipeline);
  g_main_loop_unref (app.loop);
  g_hash_table_unref (app.frames);
  g_hash_table_unref (app.last);
  g_mutex_clear (&app.lock);
  say (&app, "bye");
  g_free (app.name);
  return 0;
}
