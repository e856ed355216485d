/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The WHIP/WHEP client's Link header parser (RFC 9725 4.6, RFC 8288):
 * the header forms endpoints send, and malformed or hostile values, which
 * must give warnings and never more than the bounds. */

#include "gst/webrtcroom/icelinks-private.h"

#include <string.h>

typedef struct
{
  JsonArray *servers;
  GPtrArray *warnings;
} Parsed;

static void
parsed_clear (Parsed * p)
{
  g_clear_pointer (&p->servers, json_array_unref);
  g_clear_pointer (&p->warnings, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Parsed, parsed_clear);

static Parsed
parse (const gchar * value)
{
  Parsed p;

  p.warnings = g_ptr_array_new_with_free_func (g_free);
  p.servers = gst_webrtc_room_ice_servers_from_links (value, p.warnings);
  return p;
}

static const gchar *
url_of (Parsed * p, guint i)
{
  JsonObject *server = json_array_get_object_element (p->servers, i);

  return json_array_get_string_element (json_object_get_array_member (server,
          "urls"), 0);
}

static const gchar *
member (Parsed * p, guint i, const gchar * name)
{
  JsonObject *server = json_array_get_object_element (p->servers, i);

  return json_object_has_member (server, name) ?
      json_object_get_string_member (server, name) : NULL;
}

static void
test_rfc_example (void)
{
  /* RFC 9725 4.6, as libsoup joins several Link headers */
  g_auto (Parsed) p = parse ("<stun:stun.example.net>; rel=\"ice-server\", "
      "<turn:turn.example.net?transport=udp>; rel=\"ice-server\"; "
      "username=\"user\"; credential=\"myPassword\"; "
      "credential-type=\"password\", "
      "<turn:turn.example.net?transport=tcp>; rel=\"ice-server\"; "
      "username=\"user\"; credential=\"myPassword\"; "
      "credential-type=\"password\"");

  g_assert_cmpuint (p.warnings->len, ==, 0);
  g_assert_cmpuint (json_array_get_length (p.servers), ==, 3);
  g_assert_cmpstr (url_of (&p, 0), ==, "stun:stun.example.net");
  g_assert_null (member (&p, 0, "username"));
  g_assert_cmpstr (url_of (&p, 1), ==, "turn:turn.example.net?transport=udp");
  g_assert_cmpstr (member (&p, 1, "username"), ==, "user");
  g_assert_cmpstr (member (&p, 1, "credential"), ==, "myPassword");
  g_assert_cmpstr (url_of (&p, 2), ==, "turn:turn.example.net?transport=tcp");
}

static void
test_syntax_variants (void)
{
  /* tokens instead of quoted strings, no spaces, upper case names, a rel
   * list, escapes and separators inside quotes, commas inside <> */
  g_auto (Parsed) p = parse ("<stun:127.0.0.1:3478>;REL=ice-server,"
      "<turns:t.example:443?transport=tcp>;rel=\"next ice-server\";"
      "username=\"a;b,c\\\"d\";credential=\"p\\\\w\"  ,  "
      "<stun:x.example:1,2>; rel=ice-server");

  g_assert_cmpuint (p.warnings->len, ==, 0);
  g_assert_cmpuint (json_array_get_length (p.servers), ==, 3);
  g_assert_cmpstr (url_of (&p, 0), ==, "stun:127.0.0.1:3478");
  g_assert_cmpstr (url_of (&p, 1), ==, "turns:t.example:443?transport=tcp");
  g_assert_cmpstr (member (&p, 1, "username"), ==, "a;b,c\"d");
  g_assert_cmpstr (member (&p, 1, "credential"), ==, "p\\w");
  g_assert_cmpstr (url_of (&p, 2), ==, "stun:x.example:1,2");
}

static void
test_other_rels_ignored (void)
{
  g_auto (Parsed) p = parse ("<https://example.net/next>; rel=\"next\", "
      "</whip/x>; rel=\"urn:ietf:params:whip:ext:example\", "
      "<stun:s.example>; rel=\"ice-server\", <stun:norel.example>");

  g_assert_cmpuint (p.warnings->len, ==, 0);
  g_assert_cmpuint (json_array_get_length (p.servers), ==, 1);
  g_assert_cmpstr (url_of (&p, 0), ==, "stun:s.example");
}

static void
test_absent_or_empty (void)
{
  g_auto (Parsed) none = parse (NULL);
  g_auto (Parsed) empty = parse ("");
  g_auto (Parsed) commas = parse (" , ,, ");

  g_assert_cmpuint (json_array_get_length (none.servers), ==, 0);
  g_assert_cmpuint (json_array_get_length (empty.servers), ==, 0);
  g_assert_cmpuint (json_array_get_length (commas.servers), ==, 0);
  g_assert_cmpuint (none.warnings->len + empty.warnings->len +
      commas.warnings->len, ==, 0);
}

/* each bad value: a warning, the good ones around it still taken */
static void
test_bad_values_warn (void)
{
  const gchar *bad[] = {
    "stun:bad1.example; rel=ice-server",        /* no <> */
    "<stun:bad2.example; rel=ice-server",       /* no > */
    "<http://bad3.example>; rel=ice-server",    /* not stun/turn */
    "<turn:bad4.example>; rel=ice-server",      /* TURN, no credentials */
    "<turn:bad5.example>; rel=ice-server; username=u",  /* no credential */
    "<turn:bad6.example>; rel=ice-server; username=u; credential=c; "
        "credential-type=oauth",
    "<stun:bad7.example>; rel=\"ice-server",    /* unterminated quote */
    "<stun:bad8.example> rel=ice-server",       /* no ; */
    "<stun:>; rel=ice-server",  /* no host */
    "<turn:bad10.example>; rel=ice-server; username=\"\x01\"; credential=c",
    "<stun:bad11.example\x7f>; rel=ice-server",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autofree gchar *value = g_strdup_printf ("<stun:good1.example>; "
        "rel=ice-server, %s, <stun:good2.example>; rel=ice-server", bad[i]);
    g_auto (Parsed) p = parse (value);
    guint n = json_array_get_length (p.servers);

    g_test_message ("%s", bad[i]);
    g_assert_cmpuint (p.warnings->len, >=, 1);
    /* the value after one that is cut off (no >, open quote) may be lost
     * with it, never invented */
    g_assert_cmpuint (n, >=, 1);
    g_assert_cmpuint (n, <=, 2);
    g_assert_cmpstr (url_of (&p, 0), ==, "stun:good1.example");
    if (n == 2)
      g_assert_cmpstr (url_of (&p, 1), ==, "stun:good2.example");
  }
}

static void
test_bounds (void)
{
  GString *many = g_string_new (NULL);
  g_autofree gchar *long_url = NULL;
  g_autofree gchar *long_value = NULL;
  g_autofree gchar *huge = NULL;
  guint i;

  for (i = 0; i < 100; i++)
    g_string_append_printf (many, "%s<stun:s%u.example>; rel=ice-server",
        i ? ", " : "", i);
  {
    g_auto (Parsed) p = parse (many->str);

    g_assert_cmpuint (json_array_get_length (p.servers), ==,
        GST_WEBRTC_ROOM_MAX_LINK_ICE_SERVERS);
    g_assert_cmpuint (p.warnings->len, ==, 1);
  }
  g_string_free (many, TRUE);

  long_url = g_strdup_printf ("<stun:%0*d>; rel=ice-server, <stun:ok>; "
      "rel=ice-server", GST_WEBRTC_ROOM_MAX_LINK_VALUE_BYTES, 7);
  {
    g_auto (Parsed) p = parse (long_url);

    g_assert_cmpuint (json_array_get_length (p.servers), ==, 1);
    g_assert_cmpstr (url_of (&p, 0), ==, "stun:ok");
    g_assert_cmpuint (p.warnings->len, ==, 1);
  }

  long_value = g_strdup_printf ("<turn:t>; rel=ice-server; username=u; "
      "credential=\"%0*d\", <stun:ok>; rel=ice-server",
      GST_WEBRTC_ROOM_MAX_LINK_VALUE_BYTES + 1, 7);
  {
    g_auto (Parsed) p = parse (long_value);

    g_assert_cmpuint (json_array_get_length (p.servers), ==, 1);
    g_assert_cmpuint (p.warnings->len, >=, 1);
  }

  huge = g_strnfill (GST_WEBRTC_ROOM_MAX_LINK_HEADER_BYTES + 1, ',');
  {
    g_auto (Parsed) p = parse (huge);

    g_assert_cmpuint (json_array_get_length (p.servers), ==, 0);
    g_assert_cmpuint (p.warnings->len, ==, 1);
  }
}

/* random bytes and mutations of a good value: no crash, bounded output */
static void
test_garbage (void)
{
  const gchar *seed = "<turn:t.example:3478?transport=udp>; "
      "rel=\"ice-server\"; username=\"u\"; credential=\"c\"; "
      "credential-type=\"password\", <stun:s.example>; rel=ice-server";
  GRand *rand = g_rand_new_with_seed (13);
  guint round;

  for (round = 0; round < 20000; round++) {
    gchar *text = g_strdup (seed);
    gsize len = strlen (text), i;
    guint n = g_rand_int_range (rand, 1, 8);

    for (i = 0; i < n; i++)
      text[g_rand_int_range (rand, 0, len)] =
          (gchar) g_rand_int_range (rand, 1, 256);
    {
      g_auto (Parsed) p = parse (text);

      g_assert_cmpuint (json_array_get_length (p.servers), <=, 2);
    }
    g_free (text);
  }
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/icelinks/rfc-example", test_rfc_example);
  g_test_add_func ("/icelinks/syntax-variants", test_syntax_variants);
  g_test_add_func ("/icelinks/other-rels-ignored", test_other_rels_ignored);
  g_test_add_func ("/icelinks/absent-or-empty", test_absent_or_empty);
  g_test_add_func ("/icelinks/bad-values-warn", test_bad_values_warn);
  g_test_add_func ("/icelinks/bounds", test_bounds);
  g_test_add_func ("/icelinks/garbage", test_garbage);
  return g_test_run ();
}
