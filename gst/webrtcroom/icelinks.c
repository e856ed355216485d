/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* `Link` header values (RFC 8288 section 3) to iceServers entries. The
 * grammar, with OWS = spaces and tabs:
 *
 *   Link       = #link-value
 *   link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param )
 *   link-param = token BWS [ "=" BWS ( token / quoted-string ) ]
 *
 * libsoup's soup_header_parse_list() splits at commas outside quotes but
 * not outside `<...>`, and its parameter parser has no place for the
 * `<URI>`: hence this small scanner. Every step is bounded by the input,
 * which is bounded first. */

#include "icelinks-private.h"

#include <string.h>

typedef struct
{
  const gchar *p;
  GPtrArray *warnings;
  guint index;                  /* of the link-value, from 1, for warnings */
} Scanner;

/* takes @text */
static void
warn (Scanner * sc, gchar * text)
{
  if (sc->warnings)
    g_ptr_array_add (sc->warnings, g_strdup_printf ("Link value %u: %s",
            sc->index, text));
  g_free (text);
}

static void
skip_ows (Scanner * sc)
{
  while (*sc->p == ' ' || *sc->p == '\t')
    sc->p++;
}

static gboolean
is_tchar (gchar c)
{
  return g_ascii_isalnum (c) || (c && strchr ("!#$%&'*+-.^_`|~", c));
}

/* After a bad link-value: on to the comma that ends it (outside quotes
 * and angle brackets) */
static void
skip_to_next_value (Scanner * sc)
{
  gboolean quoted = FALSE, bracket = FALSE;

  for (; *sc->p; sc->p++) {
    if (quoted) {
      if (*sc->p == '\\' && sc->p[1])
        sc->p++;
      else if (*sc->p == '"')
        quoted = FALSE;
    } else if (bracket) {
      bracket = *sc->p != '>';
    } else if (*sc->p == '"') {
      quoted = TRUE;
    } else if (*sc->p == '<') {
      bracket = TRUE;
    } else if (*sc->p == ',') {
      return;
    }
  }
}

/* token or quoted-string; NULL when malformed */
static gchar *
read_value (Scanner * sc)
{
  GString *out;

  if (*sc->p != '"') {
    const gchar *start = sc->p;

    while (is_tchar (*sc->p))
      sc->p++;
    return sc->p > start ? g_strndup (start, sc->p - start) : NULL;
  }
  out = g_string_new (NULL);
  for (sc->p++; *sc->p && *sc->p != '"'; sc->p++) {
    if (*sc->p == '\\' && sc->p[1])
      sc->p++;
    g_string_append_c (out, *sc->p);
  }
  if (*sc->p != '"') {
    g_string_free (out, TRUE);
    return NULL;
  }
  sc->p++;
  return g_string_free (out, FALSE);
}

/* `rel` is a space-separated list of relation types, case-insensitive */
static gboolean
rel_has_ice_server (const gchar * rel)
{
  g_auto (GStrv) types = g_strsplit_set (rel, " \t", -1);
  guint i;

  for (i = 0; types[i]; i++) {
    if (!g_ascii_strcasecmp (types[i], "ice-server"))
      return TRUE;
  }
  return FALSE;
}

static gboolean
is_turn (const gchar * url)
{
  return !g_ascii_strncasecmp (url, "turn:", 5)
      || !g_ascii_strncasecmp (url, "turns:", 6);
}

static gboolean
is_stun (const gchar * url)
{
  return !g_ascii_strncasecmp (url, "stun:", 5)
      || !g_ascii_strncasecmp (url, "stuns:", 6);
}

static gboolean
printable_ascii (const gchar * text)
{
  for (; *text; text++) {
    if ((guchar) * text < 0x20 || (guchar) * text >= 0x7f)
      return FALSE;
  }
  return TRUE;
}

/* One ice-server link to an iceServers entry; NULL (and a warning) when
 * it cannot be used */
static JsonObject *
ice_server (Scanner * sc, const gchar * url, GHashTable * params)
{
  const gchar *username = g_hash_table_lookup (params, "username");
  const gchar *credential = g_hash_table_lookup (params, "credential");
  const gchar *type = g_hash_table_lookup (params, "credential-type");
  JsonObject *server;
  JsonArray *urls;

  if (!is_stun (url) && !is_turn (url)) {
    warn (sc,
        g_strdup_printf ("'%.64s' is no stun:, stuns:, turn: or turns: URL",
            url));
    return NULL;
  }
  if (!strchr (url, ':')[1] || strchr (url, ' ')) {
    warn (sc, g_strdup_printf ("'%.64s' names no host", url));
    return NULL;
  }
  if (is_turn (url) && (!username || !credential || !*username)) {
    warn (sc,
        g_strdup_printf ("TURN server %.64s without username and credential",
            url));
    return NULL;
  }
  if (is_turn (url) && type && g_ascii_strcasecmp (type, "password")) {
    warn (sc,
        g_strdup_printf
        ("TURN server %.64s: credential-type '%.32s' is not password", url,
            type));
    return NULL;
  }
  if ((username && !printable_ascii (username))
      || (credential && !printable_ascii (credential))) {
    warn (sc,
        g_strdup_printf ("TURN server %.64s: control or non-ASCII bytes in its "
            "credentials", url));
    return NULL;
  }
  server = json_object_new ();
  urls = json_array_new ();
  json_array_add_string_element (urls, url);
  json_object_set_array_member (server, "urls", urls);
  if (is_turn (url)) {
    json_object_set_string_member (server, "username", username);
    json_object_set_string_member (server, "credential", credential);
  }
  return server;
}

/* link-param list after the `>`; FALSE when malformed */
static gboolean
read_params (Scanner * sc, GHashTable * params)
{
  for (;;) {
    const gchar *start;
    gchar *name, *value = NULL;

    skip_ows (sc);
    if (*sc->p == ',' || !*sc->p)
      return TRUE;
    if (*sc->p != ';')
      return FALSE;
    sc->p++;
    skip_ows (sc);
    start = sc->p;
    while (is_tchar (*sc->p))
      sc->p++;
    if (sc->p == start)
      return FALSE;
    name = g_ascii_strdown (start, sc->p - start);
    skip_ows (sc);
    if (*sc->p == '=') {
      sc->p++;
      skip_ows (sc);
      value = read_value (sc);
      if (!value) {
        g_free (name);
        return FALSE;
      }
    }
    if (value && strlen (value) > GST_WEBRTC_ROOM_MAX_LINK_VALUE_BYTES) {
      warn (sc, g_strdup_printf ("attribute %.32s longer than %d bytes", name,
              GST_WEBRTC_ROOM_MAX_LINK_VALUE_BYTES));
      g_free (name);
      g_free (value);
      return FALSE;
    }
    /* RFC 8288 3.3: only the first occurrence of a parameter counts */
    if (g_hash_table_contains (params, name)) {
      g_free (name);
      g_free (value);
    } else {
      g_hash_table_insert (params, name, value ? value : g_strdup (""));
    }
  }
}

JsonArray *
gst_webrtc_room_ice_servers_from_links (const gchar * value,
    GPtrArray * warnings)
{
  JsonArray *servers = json_array_new ();
  Scanner sc = {.p = value,.warnings = warnings };

  if (!value)
    return servers;
  if (strlen (value) > GST_WEBRTC_ROOM_MAX_LINK_HEADER_BYTES) {
    warn (&sc,
        g_strdup_printf ("the Link header is longer than %d bytes: ignored",
            GST_WEBRTC_ROOM_MAX_LINK_HEADER_BYTES));
    return servers;
  }
  for (;;) {
    g_autoptr (GHashTable) params = NULL;
    g_autofree gchar *url = NULL;
    const gchar *end, *rel;
    JsonObject *server;

    while (*sc.p == ',' || *sc.p == ' ' || *sc.p == '\t')
      sc.p++;
    if (!*sc.p)
      break;
    sc.index++;
    if (*sc.p != '<' || !(end = strchr (sc.p, '>'))) {
      warn (&sc, g_strdup ("no <URI> first"));
      skip_to_next_value (&sc);
      continue;
    }
    url = g_strndup (sc.p + 1, end - sc.p - 1);
    sc.p = end + 1;
    params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    if (!read_params (&sc, params)) {
      warn (&sc, g_strdup ("malformed attributes"));
      skip_to_next_value (&sc);
      continue;
    }
    rel = g_hash_table_lookup (params, "rel");
    if (!rel || !rel_has_ice_server (rel))
      continue;
    g_strstrip (url);
    if (strlen (url) > GST_WEBRTC_ROOM_MAX_LINK_VALUE_BYTES
        || !printable_ascii (url)) {
      warn (&sc,
          g_strdup_printf
          ("the URL is longer than %d bytes or not printable ASCII",
              GST_WEBRTC_ROOM_MAX_LINK_VALUE_BYTES));
      continue;
    }
    if (json_array_get_length (servers) >= GST_WEBRTC_ROOM_MAX_LINK_ICE_SERVERS) {
      warn (&sc,
          g_strdup_printf ("more than %d ICE servers: the rest is ignored",
              GST_WEBRTC_ROOM_MAX_LINK_ICE_SERVERS));
      break;
    }
    server = ice_server (&sc, url, params);
    if (server)
      json_array_add_object_element (servers, server);
  }
  return servers;
}
