// Tailwind CSS 4 runs as a PostCSS plugin; app/globals.css holds the theme.
export default {
  plugins: {
    "@tailwindcss/postcss": {},
  },
};
