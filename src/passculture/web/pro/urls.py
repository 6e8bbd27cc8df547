from django.urls import path

import passculture.web.pro.views_collective as collective
import passculture.web.pro.views_collective_venue as collective_venue
import passculture.web.pro.views_exports as exports
import passculture.web.pro.views_integration_log as integration_log
import passculture.web.pro.views_integrations as integrations
import passculture.web.pro.views_offer_notifications as views_offer_notifications
import passculture.web.pro.views_stats as views_stats
from passculture.web import views_notifications
from passculture.web.pro import (
    views_bookings,
    views_home,
    views_offerers,
    views_offers,
    views_stocks,
    views_venues,
)
from passculture.web.pro.views_door import door

app_name = "pro"
urlpatterns = [
    path("", views_home.home, name="home"),
    path("offres/", views_offers.offer_list, name="offers"),
    path("offres/nouvelle/", views_offers.offer_create, name="offer_create"),
    path("offres/champs/", views_offers.extra_fields, name="offer_extra_fields"),
    path("offres/<int:offer_id>/", views_offers.offer_edit, name="offer_edit"),
    path("offres/<int:offer_id>/brouillon/", views_offers.offer_autosave, name="offer_autosave"),
    path("offres/<int:offer_id>/apercu/", views_offers.offer_preview, name="offer_preview"),
    path("offres/<int:offer_id>/publier/", views_offers.offer_submit, name="offer_submit"),
    path("offres/<int:offer_id>/activation/", views_offers.offer_toggle, name="offer_toggle"),
    path("offres/<int:offer_id>/image/", views_offers.offer_image, name="offer_image"),
    path("offres/<int:offer_id>/archiver/", views_offers.offer_archive, name="offer_archive"),
    path("offres/<int:offer_id>/dupliquer/", views_offers.offer_duplicate, name="offer_duplicate"),
    path(
        "offres/<int:offer_id>/emails/",
        views_offer_notifications.offer_notifications,
        name="offer_notifications",
    ),
    path("offres/<int:offer_id>/tarifs/", views_stocks.offer_prices, name="offer_prices"),
    path(
        "offres/<int:offer_id>/tarifs/<int:category_id>/",
        views_stocks.price_update,
        name="offer_price_update",
    ),
    path("offres/<int:offer_id>/dates/", views_stocks.offer_dates, name="offer_dates"),
    path(
        "offres/<int:offer_id>/dates/quantites/",
        views_stocks.quantities_update,
        name="offer_quantities",
    ),
    path(
        "offres/<int:offer_id>/dates/<int:stock_id>/",
        views_stocks.date_action,
        name="offer_date_action",
    ),
    path("reservations/", views_bookings.booking_list, name="bookings"),
    path(
        "reservations/<int:booking_id>/<str:action>/",
        views_bookings.booking_action,
        name="booking_action",
    ),
    path(
        "reservations/collectives/<int:booking_id>/annuler/",
        views_bookings.collective_cancel,
        name="bookings_collective_cancel",
    ),
    path("guichet/", door, name="door"),
    path("exports/", exports.export_page, name="exports"),
    path("exports/fichiers/", exports.job_list, name="export_jobs"),
    path("exports/fichiers/tableau/", exports.job_table, name="export_job_table"),
    path("exports/fichiers/<int:job_id>/", exports.job_download, name="export_download"),
    path(
        "exports/modeles/<int:preset_id>/supprimer/",
        exports.preset_delete,
        name="export_preset_delete",
    ),
    path("statistiques/", views_stats.stats, name="stats"),
    path("remboursements/", views_home.finance, name="finance"),
    path("integrations/", integrations.overview, name="integrations"),
    path(
        "integrations/lieux/<int:venue_id>/relier/",
        integrations.link_create,
        name="integration_link_create",
    ),
    path("integrations/liens/<int:link_id>/", integrations.link_edit, name="integration_link"),
    path(
        "integrations/liens/<int:link_id>/delier/",
        integrations.link_delete,
        name="integration_link_delete",
    ),
    path(
        "integrations/liens/<int:link_id>/test/",
        integrations.link_test,
        name="integration_link_test",
    ),
    path("integrations/logiciels/", integrations.software_list, name="integration_softwares"),
    path(
        "integrations/logiciels/<int:provider_id>/",
        integrations.software_detail,
        name="integration_software",
    ),
    path(
        "integrations/logiciels/<int:provider_id>/secret/",
        integrations.software_secret,
        name="integration_secret",
    ),
    path(
        "integrations/logiciels/<int:provider_id>/cles/",
        integrations.key_create,
        name="integration_key_create",
    ),
    path(
        "integrations/cles/<int:key_id>/revoquer/",
        integrations.key_revoke,
        name="integration_key_revoke",
    ),
    path("integrations/envois/", integration_log.deliveries, name="integration_deliveries"),
    path(
        "integrations/envois/<int:delivery_id>/rejouer/",
        integration_log.delivery_replay,
        name="integration_delivery_replay",
    ),
    path("structures/", views_offerers.offerer_list, name="offerers"),
    path("structures/nouvelle/", views_offerers.offerer_create, name="offerer_create"),
    path("structures/<int:offerer_id>/", views_offerers.offerer_detail, name="offerer_detail"),
    path("structures/<int:offerer_id>/membres/", views_offerers.member_list, name="members"),
    path(
        "structures/<int:offerer_id>/membres/<int:membership_id>/<str:action>/",
        views_offerers.member_action,
        name="member_action",
    ),
    path(
        "structures/<int:offerer_id>/lieux/nouveau/", views_venues.venue_create, name="venue_create"
    ),
    path(
        "structures/<int:offerer_id>/lieux/numerique/",
        views_venues.virtual_venue_create,
        name="virtual_venue_create",
    ),
    path("lieux/<int:venue_id>/", views_venues.venue_edit, name="venue_edit"),
    path(
        "lieux/<int:venue_id>/notifications/",
        views_notifications.venue_settings,
        name="venue_notifications",
    ),
    *views_notifications.pro.urls(),
    path("dev/emails/", views_notifications.dev_emails, name="dev_emails"),
    path("collectif/", collective.offer_list, name="collective_offers"),
    path("collectif/nouvelle/", collective.offer_create, name="collective_offer_create"),
    path("collectif/<int:offer_id>/", collective.offer_detail, name="collective_offer"),
    path(
        "collectif/<int:offer_id>/publier/",
        collective.offer_submit,
        name="collective_offer_submit",
    ),
    path(
        "collectif/<int:offer_id>/dupliquer/",
        collective.offer_duplicate,
        name="collective_offer_duplicate",
    ),
    path("collectif/<int:offer_id>/prix/", collective.offer_price, name="collective_offer_price"),
    path("collectif/<int:offer_id>/modifier/", collective.offer_edit, name="collective_offer_edit"),
    path(
        "collectif/<int:offer_id>/activation/",
        collective.offer_activation,
        name="collective_offer_activation",
    ),
    path(
        "collectif/<int:offer_id>/archiver/",
        collective.offer_archive,
        name="collective_offer_archive",
    ),
    path(
        "collectif/demandes/<int:request_id>/repondre/",
        collective.request_answer,
        name="collective_request_answer",
    ),
    path(
        "collectif/profil/<int:venue_id>/", collective_venue.profile_edit, name="collective_profile"
    ),
    path("collectif/reservations/", collective_venue.booking_list, name="collective_bookings"),
    path(
        "collectif/reservations/<int:booking_id>/annuler/",
        collective_venue.booking_cancel,
        name="collective_booking_cancel",
    ),
]
