"""The ticket kiosk node (取号机): touch UI, ticket layout and printing, printer health."""
