import { createBrowserRouter } from 'react-router';
import { Layout } from './Layout';
import { AnalysisPage } from './routes/AnalysisPage';
import { AnalyzePage } from './routes/AnalyzePage';
import { BillingPage } from './routes/BillingPage';
import { HistoryPage } from './routes/HistoryPage';
import { MarketPage } from './routes/MarketPage';
import { NotFoundPage } from './routes/NotFoundPage';
import { SettingsPage } from './routes/SettingsPage';

/**
 * The screens. The server answers index.html for each of these paths (SPA fallback). Created
 * after sign-in completes, so the router starts at the page the user was on before signing in.
 */
export const createAppRouter = () =>
  createBrowserRouter([
    {
      element: <Layout />,
      children: [
        { path: '/', element: <AnalyzePage /> },
        { path: '/history', element: <HistoryPage /> },
        { path: '/history/:id', element: <AnalysisPage /> },
        { path: '/market', element: <MarketPage /> },
        { path: '/billing', element: <BillingPage /> },
        { path: '/settings', element: <SettingsPage /> },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]);
